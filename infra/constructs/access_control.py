"""API access in AWS: the pepper API tokens and integration keys are keyed by, the link and webhook
signing secrets, the integrations' signing secrets, and the write-once bucket of the audit log.

The pepper is a Secrets Manager secret generated at deploy time; the functions whose permissions say
`tokens` read it. The audit bucket has S3 Object Lock in compliance mode: for the retention period
(`-c klaxon:audit_retention_days=…`, default 365) no one, the account's root included, can change or
delete a record. The functions whose permissions say `audits` may only put objects in it.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs.access_logs import access_log_bucket
from infra.nag import acknowledge, logical_id
from infra.permissions import access_of
from klaxon.settings import Settings

AUDIT_RETENTION_CONTEXT = "klaxon:audit_retention_days"
DEFAULT_AUDIT_RETENTION_DAYS = 365


class AccessControl(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function]
    ) -> None:
        super().__init__(scope, construct_id)
        days = int(self.node.try_get_context(AUDIT_RETENTION_CONTEXT) or DEFAULT_AUDIT_RETENTION_DAYS)
        self.pepper = self._build_pepper()
        self.link_secret = self._build_rotatable(
            "LinkSecret",
            "Klaxon: signs acknowledge links, subscriber links and calendar feeds",
            "Rotated on demand by an admin (`klaxon secrets rotate link`), with a grace period in which the "
            "old value still verifies: a scheduled Lambda rotation would break every calendar subscription "
            "and unsubscribe link on a timer rather than when the secret is at risk.",
        )
        self.webhook_secret = self._build_rotatable(
            "WebhookSecret",
            "Klaxon: status page webhooks' signing secrets are derived from it",
            "Rotated on demand by an admin (`klaxon secrets rotate webhook`): every receiver must fetch its "
            "new secret, so a timer-driven rotation would break them all at once; deliveries carry both "
            "signatures through the grace period.",
        )
        self.signing_secrets = self._build_signing_secrets()
        # Empty until an operator installs the Slack app (docs/slack.md); while empty, chat rooms are
        # written to the log and the timeline only.
        self.slack_secret = self._build_operator_secret(
            "SlackApp",
            "Klaxon: the Slack app's bot_token and signing_secret (set them after installing it)",
            "Slack issues the bot token and signing secret; they change when an admin reinstalls the app or "
            "regenerates them in Slack, and the new values are then put here. A Lambda rotation cannot "
            "obtain new ones from Slack.",
        )
        self.github_secret = self._build_operator_secret(
            "GitHubToken",
            "Klaxon: the GitHub token post-mortems are published with (set `token` to use it)",
            "GitHub issues the token (a fine-grained token or a GitHub App's); it changes when an admin "
            "makes a new one there and puts it here. A Lambda rotation cannot obtain one from GitHub.",
        )
        self.tracker_secret = self._build_operator_secret(
            "TrackerCredentials",
            "Klaxon: Jira, Linear and Asana credentials by tracker id (docs/postmortems.md)",
            "Each tracker issues its own API token or key (and webhook secret); they change when an admin "
            "makes new ones there and puts them here. A Lambda rotation cannot obtain them.",
        )
        self.access_logs = access_log_bucket(
            self, writers=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, whose="the audit log"
        )
        self.audit_bucket = self._build_audit_bucket(days)
        for name, function in functions.items():
            access = access_of(name)
            if access.tokens:
                self.pepper.grant_read(function)
                function.add_environment(Settings.env_name("pepper_secret"), self.pepper.secret_arn)
            if access.links:
                self.link_secret.grant_read(function)
                function.add_environment(Settings.env_name("link_secret"), self.link_secret.secret_arn)
            if access.rotates_links:
                self.link_secret.grant_write(function)
            if access.webhooks is not None:
                self.webhook_secret.grant_read(function)
                function.add_environment(Settings.env_name("webhook_secret"), self.webhook_secret.secret_arn)
            if access.webhooks == "write":
                self.webhook_secret.grant_write(function)
            if access.signing_secrets is not None:
                self.signing_secrets.grant_read(function)
                env = Settings.env_name("integration_secrets")
                function.add_environment(env, self.signing_secrets.secret_arn)
            if access.signing_secrets == "write":
                self.signing_secrets.grant_write(function)
            if access.github:
                self.github_secret.grant_read(function)
                function.add_environment(Settings.env_name("github_secret"), self.github_secret.secret_arn)
            if access.trackers:
                self.tracker_secret.grant_read(function)
                function.add_environment(Settings.env_name("tracker_secret"), self.tracker_secret.secret_arn)
            if access.slack:
                self.slack_secret.grant_read(function)
                function.add_environment(Settings.env_name("slack_secret"), self.slack_secret.secret_arn)
            if access.audits:
                self._grant_audit(function)

    def _grant_audit(self, function: lambda_.Function) -> None:
        """s3:PutObject under audit/ and nothing else: no read, no delete, no retention change."""
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"], resources=[self.audit_bucket.arn_for_objects("audit/*")]
            )
        )
        function.add_environment(Settings.env_name("audit_bucket"), self.audit_bucket.bucket_name)
        assert function.role is not None
        acknowledge(
            function.role,
            f"AwsSolutions-IAM5[Resource::<{logical_id(self.audit_bucket)}.Arn>/audit/*]",
            "s3:PutObject of new audit records, one object per record under audit/<date>/; Object Lock "
            "keeps each unchangeable, and the role can neither read nor delete them.",
        )

    def _build_pepper(self) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            "TokenPepper",
            description="Klaxon: the key API token digests are HMAC-SHA-256 under (never rotated)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            secret,
            "AwsSolutions-SMG4",
            "The pepper keys every stored API token digest: rotating it would revoke every token at once. "
            "To retire it, create new tokens under a new stack secret; there is nothing to rotate on a "
            "schedule.",
        )
        return secret

    def _build_rotatable(self, construct_id: str, description: str, why_manual: str) -> secretsmanager.Secret:
        """A signing secret as `SecretVersions` (`{"current": ...}`), rotated by an admin through the API."""
        secret = secretsmanager.Secret(
            self,
            construct_id,
            description=description,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",
                generate_string_key="current",
                password_length=64,
                exclude_punctuation=True,
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(secret, "AwsSolutions-SMG4", why_manual)
        return secret

    def _build_signing_secrets(self) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            "IntegrationSigningSecrets",
            description="Klaxon: integrations' signing secrets (Grafana, Sentry, generic HMAC, Datadog), "
            "written when a configuration is applied",
            secret_object_value={},
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            secret,
            "AwsSolutions-SMG4",
            "Each value is the one its sender (Grafana, Sentry, ...) signs with, so it changes when the team "
            "changes it there and applies the new one; the old one verifies for 24 hours. A Lambda rotation "
            "could not change the sender's copy.",
        )
        return secret

    def _build_operator_secret(
        self, construct_id: str, description: str, why_manual: str
    ) -> secretsmanager.Secret:
        """A JSON secret the stack creates empty for an operator to fill (klaxon.adapters.secret_json)."""
        secret = secretsmanager.Secret(
            self,
            construct_id,
            description=description,
            secret_object_value={},
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(secret, "AwsSolutions-SMG4", why_manual)
        return secret

    def _build_audit_bucket(self, days: int) -> s3.Bucket:
        return s3.Bucket(
            self,
            "AuditLog",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,  # Object Lock needs it
            object_lock_enabled=True,
            object_lock_default_retention=s3.ObjectLockRetention.compliance(Duration.days(days)),
            lifecycle_rules=[s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1))],
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="audit/",
            removal_policy=RemovalPolicy.RETAIN,
        )

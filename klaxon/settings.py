"""Every `KLAXON_*` environment variable, in one pydantic model.

CDK sets them on each function (`Settings.env_name` gives infra the names), the local platform builds
its own `Settings`, and `wiring.build(settings)` hands each adapter what it needs: no other module
reads the environment for the platform. The CLI's own variables are in `ClientSettings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from klaxon.domain.model import Model

TableKind = Literal["incidents", "dedup", "timeline", "config", "notifications"]
TABLE_KINDS: tuple[TableKind, ...] = ("incidents", "dedup", "timeline", "config", "notifications")


class _FromEnvironment(Model):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Any:
        """The settings of this process: `environ` (default `os.environ`) read through the aliases."""
        source = os.environ if environ is None else environ
        names = {field.alias for field in cls.model_fields.values() if field.alias}
        return cls.model_validate({name: source[name] for name in names if source.get(name)})

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable that carries `field` (infra sets it by this name)."""
        alias = cls.model_fields[field].alias
        assert alias is not None, field
        return alias


class Settings(_FromEnvironment):
    """What a Klaxon function (or `klaxon up`) is told about the deployment it runs in."""

    region: str = Field("us-east-1", alias="AWS_REGION", description="the region (Lambda sets it)")
    in_lambda: bool = Field(
        False, alias="AWS_LAMBDA_FUNCTION_NAME", description="set by Lambda: webhooks must be https"
    )

    event_bus: str = Field("klaxon", alias="KLAXON_EVENT_BUS", description="the EventBridge bus")
    payload_bucket: str = Field(
        "klaxon-payloads", alias="KLAXON_PAYLOAD_BUCKET", description="alerts too large for an event"
    )
    table_incidents: str = Field("klaxon-incidents", alias="KLAXON_TABLE_INCIDENTS", description="a table")
    table_dedup: str = Field("klaxon-dedup", alias="KLAXON_TABLE_DEDUP", description="a table")
    table_timeline: str = Field("klaxon-timeline", alias="KLAXON_TABLE_TIMELINE", description="a table")
    table_config: str = Field("klaxon-config", alias="KLAXON_TABLE_CONFIG", description="a table")
    table_notifications: str = Field(
        "klaxon-notifications", alias="KLAXON_TABLE_NOTIFICATIONS", description="a table"
    )
    escalation_state_machine: str | None = Field(
        None, alias="KLAXON_ESCALATION_STATE_MACHINE", description="the escalation state machine's ARN"
    )
    public_url: str | None = Field(
        None, alias="KLAXON_PUBLIC_URL", description="base of links in pages and emails (else relative)"
    )
    statuspage_url: str | None = Field(
        None, alias="KLAXON_STATUSPAGE_URL", description="overrides `statuspage.url` (`klaxon up`)"
    )
    sms_origination: str | None = Field(
        None, alias="KLAXON_SMS_ORIGINATION", description="number, pool or sender id SMS pages come from"
    )
    voice_origination: str | None = Field(
        None, alias="KLAXON_VOICE_ORIGINATION", description="voice-capable number (else voice pages fail)"
    )
    email_from: str | None = Field(
        None, alias="KLAXON_EMAIL_FROM", description="sender of email pages, a verified SES identity"
    )
    push_application_arn: str | None = Field(
        None, alias="KLAXON_PUSH_APPLICATION_ARN", description="SNS platform application for push pages"
    )
    status_role_arn: str | None = Field(
        None, alias="KLAXON_STATUS_ROLE_ARN", description="the StatusPageStack's publisher role"
    )
    status_region: str | None = Field(
        None, alias="KLAXON_STATUS_REGION", description="the StatusPageStack's region"
    )
    status_parameter: str | None = Field(
        None, alias="KLAXON_STATUS_PARAMETER", description="SSM parameter naming its bucket and CDN"
    )
    status_bucket: str | None = Field(
        None, alias="KLAXON_STATUS_BUCKET", description="else: a bucket of this account for the page"
    )
    status_distribution: str | None = Field(
        None, alias="KLAXON_STATUS_DISTRIBUTION", description="and its CloudFront distribution"
    )
    pepper_secret: str | None = Field(
        None,
        alias="KLAXON_PEPPER_SECRET",
        description="the Secrets Manager secret API tokens and integration keys are digested under",
    )
    integration_secrets: str | None = Field(
        None,
        alias="KLAXON_INTEGRATION_SECRETS",
        description="the secret (Secrets Manager) holding integrations' signing secrets",
    )
    link_secret: str | None = Field(
        None,
        alias="KLAXON_LINK_SECRET",
        description="the secret (Secrets Manager) links and feeds are signed with",
    )
    webhook_secret: str | None = Field(
        None,
        alias="KLAXON_WEBHOOK_SECRET",
        description="the secret (Secrets Manager) status page webhooks' secrets are derived from",
    )
    slack_secret: str | None = Field(
        None,
        alias="KLAXON_SLACK_SECRET",
        description="the secret (Secrets Manager) holding the Slack app's `bot_token` and `signing_secret`",
    )
    slack_bot_token: str | None = Field(
        None,
        alias="SLACK_BOT_TOKEN",
        description="the Slack app's bot token (`klaxon up`; AWS reads the secret)",
    )
    slack_signing_secret: str | None = Field(
        None, alias="SLACK_SIGNING_SECRET", description="the Slack app's signing secret (`klaxon up`)"
    )
    slack_app_token: str | None = Field(
        None,
        alias="SLACK_APP_TOKEN",
        description="an app-level token (`xapp-…`): `klaxon up` takes Slack's requests over Socket Mode",
    )
    slack_api_url: str = Field(
        "https://slack.com/api/",
        alias="SLACK_API_URL",
        description="Slack's Web API (a test server's, in tests)",
    )
    github_secret: str | None = Field(
        None,
        alias="KLAXON_GITHUB_SECRET",
        description="the secret (Secrets Manager) holding the GitHub `token` post-mortems are published with",
    )
    github_token: str | None = Field(
        None, alias="GITHUB_TOKEN", description="the GitHub token for publishing post-mortems (`klaxon up`)"
    )
    github_api_url: str = Field(
        "https://api.github.com",
        alias="GITHUB_API_URL",
        description="GitHub's REST API (a test server's, in tests)",
    )
    tracker_secret: str | None = Field(
        None,
        alias="KLAXON_TRACKER_SECRET",
        description="the secret (Secrets Manager) holding each tracker's credentials, by tracker id "
        "(docs/postmortems.md)",
    )
    tracker_credentials: str | None = Field(
        None,
        alias="TRACKER_CREDENTIALS",
        description="the trackers' credentials as JSON, by tracker id (`klaxon up`; docs/postmortems.md)",
    )
    linear_api_url: str = Field(
        "https://api.linear.app/graphql",
        alias="LINEAR_API_URL",
        description="Linear's GraphQL API (a test server's, in tests)",
    )
    notion_api_url: str = Field(
        "https://api.notion.com",
        alias="NOTION_API_URL",
        description="Notion's API (a test server's, in tests)",
    )
    asana_api_url: str = Field(
        "https://app.asana.com/api/1.0",
        alias="ASANA_API_URL",
        description="Asana's REST API (a test server's, in tests)",
    )
    audit_bucket: str | None = Field(
        None, alias="KLAXON_AUDIT_BUCKET", description="the Object Lock bucket audit records are exported to"
    )
    sns_cert_dir: str | None = Field(
        None, alias="KLAXON_SNS_CERT_DIR", description="pinned SNS signing certificates (else fetched)"
    )
    rate_limit_scale: float = Field(
        1.0,
        gt=0,
        alias="KLAXON_RATE_LIMIT_SCALE",
        description="multiplies every rate limit (`klaxon up --rate-limit-scale`: load tests)",
    )

    # Webhooks to http://127.0.0.1 are allowed outside Lambda (`klaxon up`, tests), never in AWS.
    @property
    def allow_loopback_webhooks(self) -> bool:
        return not self.in_lambda

    def table(self, kind: str) -> str:
        return str(getattr(self, f"table_{kind}"))

    @field_validator("in_lambda", mode="before")
    @classmethod
    def _named_function(cls, value: Any) -> Any:
        return value if isinstance(value, bool) else bool(value)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if environ is None else environ
        found: Settings = super().from_environ(source)
        if not source.get("AWS_REGION") and source.get("AWS_DEFAULT_REGION"):
            found = found.model_copy(update={"region": source["AWS_DEFAULT_REGION"]})
        return found


class ClientSettings(_FromEnvironment):
    """What the `klaxon` CLI reads: the API to talk to, its token, a heartbeat key."""

    api: str | None = Field(None, alias="KLAXON_API", description="the CLI's API (`--api`)")
    api_token: str | None = Field(
        None, alias="KLAXON_API_TOKEN", description="the CLI's token (`--token`); `klaxon up`'s token"
    )
    heartbeat_key: str | None = Field(
        None, alias="KLAXON_HEARTBEAT_KEY", description="`klaxon heartbeat ping`'s key"
    )


def reference_table() -> str:
    """The Markdown table of every variable, for docs/operations.md (a test keeps the two equal)."""
    rows = ["| variable | default | what it is |", "|---|---|---|"]
    for model in (Settings, ClientSettings):
        for field in model.model_fields.values():
            default = "none" if field.default in (None, False) else f"`{field.default}`"
            rows.append(f"| `{field.alias}` | {default} | {field.description} |")
    return "\n".join(rows) + "\n"

"""Paging channels in AWS: send grants and settings for paging functions, and the inbound-SMS topic.

Phone numbers, the SES identity and the push platform application are bought or verified by hand, once
per account, so they come in as context (`-c klaxon:smsOrigination=+1...`) rather than as resources.
The inbound topic's ARN is an output: point the two-way number's TwoWayChannelArn at it.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge
from infra.naming import pascal_case
from infra.permissions import access_of
from klaxon.settings import Settings
from klaxon.topology import ROUTES

EMAIL_FROM_ENV = Settings.env_name("email_from")
SMS_ORIGINATION_ENV = Settings.env_name("sms_origination")
PUSH_APPLICATION_ENV = Settings.env_name("push_application_arn")
PUBLIC_URL_ENV = Settings.env_name("public_url")
# Each paging function's setting, from the CDK context key of the same meaning.
SETTINGS = {
    SMS_ORIGINATION_ENV: "klaxon:smsOrigination",
    Settings.env_name("voice_origination"): "klaxon:voiceOrigination",
    EMAIL_FROM_ENV: "klaxon:emailFrom",
    PUSH_APPLICATION_ENV: "klaxon:pushApplicationArn",
    PUBLIC_URL_ENV: "klaxon:publicUrl",
}
DEAD_LETTER_RETENTION = Duration.days(14)


class Messaging(Construct):
    """Grants each function with `pages` its channels, and subscribes `receives_sms` ones to replies."""

    def __init__(
        self, scope: Construct, construct_id: str, *, functions: Mapping[str, lambda_.Function], api_url: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.inbound_sms_topic = self._build_inbound_topic()
        serving_api = {route.function for route in ROUTES}
        for name, function in functions.items():
            access = access_of(name)
            if access.pages:
                self._configure_paging(function, api_url=None if name in serving_api else api_url)
            if access.receives_sms:
                self._subscribe(name, function)
                if not access.pages:
                    self._allow_replies(function)

    @staticmethod
    def _arn(service: str, resource: str) -> str:
        return f"arn:{Aws.PARTITION}:{service}:{Aws.REGION}:{Aws.ACCOUNT_ID}:{resource}"

    def _build_inbound_topic(self) -> sns.Topic:
        topic = sns.Topic(self, "InboundSms", display_name="Klaxon SMS replies", enforce_ssl=True)
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["sns:Publish"],
                principals=[iam.ServicePrincipal("sms-voice.amazonaws.com")],
                resources=[topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        acknowledge(
            topic,
            "AwsSolutions-SNS2",
            "Replies such as 'ack 12' carry an incident number and nothing secret; End User Messaging cannot "
            "publish to a topic under the AWS-managed SNS key, and the topic enforces TLS instead (SNS3).",
        )
        return topic

    def _configure_paging(self, function: lambda_.Function, *, api_url: str | None) -> None:
        for variable, context_key in SETTINGS.items():
            value = self.node.try_get_context(context_key)
            if value is None and variable == PUBLIC_URL_ENV:
                # A function behind the API cannot name its URL (a cycle): there, links need klaxon:publicUrl.
                value = api_url
            if value is not None:
                function.add_environment(variable, str(value))
        role = function.role
        assert role is not None
        sms_voice = self._arn("sms-voice", "*")
        identities = self._arn("ses", "identity/*")
        # Known in context, the push application is the one resource; else any of the account's.
        applications = self.node.try_get_context(SETTINGS[PUSH_APPLICATION_ENV]) or self._arn("sns", "app/*")
        endpoints = self._arn("sns", "endpoint/*")
        for actions, resource in (
            (["sms-voice:SendTextMessage", "sms-voice:SendVoiceMessage"], sms_voice),
            (["ses:SendEmail"], identities),
            (["sns:CreatePlatformEndpoint"], applications),
            (["sns:Publish"], endpoints),
        ):
            role.add_to_principal_policy(iam.PolicyStatement(actions=actions, resources=[resource]))
        reasons = {
            sms_voice: "Pages go from the account's own phone numbers, pools and opt-out list, bought by "
            "hand and named in context: sends are limited to this account and region.",
            identities: "Email goes from the deployment's verified SES identity, named in context: sends are "
            "limited to identities of this account and region.",
            applications: "Device tokens become endpoints of the push application, created by hand; without "
            "klaxon:pushApplicationArn in context, any application of this account and region.",
            endpoints: "Each device's SNS endpoint is created on its first page, so its ARN is unknown until "
            "then: publishing is limited to mobile endpoints of this account and region.",
        }
        for resource, reason in reasons.items():
            if "*" in resource:
                acknowledge(role, f"AwsSolutions-IAM5[Resource::{_nag_name(resource)}]", reason)

    def _allow_replies(self, function: lambda_.Function) -> None:
        """A function that reads SMS replies may text back from the same number, and send nothing else."""
        origination = self.node.try_get_context(SETTINGS[SMS_ORIGINATION_ENV])
        if origination is not None:
            function.add_environment(SMS_ORIGINATION_ENV, str(origination))
        role = function.role
        assert role is not None
        sms_voice = self._arn("sms-voice", "*")
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["sms-voice:SendTextMessage"], resources=[sms_voice])
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{_nag_name(sms_voice)}]",
            "Replies go from the account's own two-way number, bought by hand and named in context: sends "
            "are limited to this account and region.",
        )

    def _subscribe(self, name: str, function: lambda_.Function) -> None:
        failed = sqs.Queue(
            self,
            f"{pascal_case(name)}FailedReplies",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DEAD_LETTER_RETENTION,
        )
        holds = f"SMS replies the {name} function failed on"
        acknowledge(
            failed,
            "AwsSolutions-SQS3",
            f"This queue is a dead-letter queue ({holds}); nothing consumes it but a person redriving it.",
        )
        self.dead_letter_queues[holds] = failed
        # SNS invokes Lambda asynchronously: Lambda retries a failure twice, then parks the reply here.
        function.configure_async_invoke(
            on_failure=destinations.SqsDestination(failed),
            max_event_age=Duration.hours(1),
            retry_attempts=2,
        )
        self.inbound_sms_topic.add_subscription(subscriptions.LambdaSubscription(function))


def _nag_name(arn: str) -> str:
    """An ARN built from Aws pseudo parameters as cdk-nag names it in finding ids."""
    return (
        arn.replace(Aws.PARTITION, "<AWS::Partition>")
        .replace(Aws.REGION, "<AWS::Region>")
        .replace(Aws.ACCOUNT_ID, "<AWS::AccountId>")
    )

"""The status page's subscribers: the notify function may send email (SES) and knows where its links point.

It is given exactly `ses:SendEmail` on the account's SES identities, never the paging channels (SMS, voice,
push), and the settings it needs: the sender (`klaxon:emailFrom`, or `statuspage.subscribers.email_from`
in the configuration) and the API's public URL for confirm and unsubscribe links (`klaxon:publicUrl`, else
the API's own URL: the function is not behind the API, so naming it is no cycle). Webhooks need no grant.
"""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constructs.messaging import EMAIL_FROM_ENV, PUBLIC_URL_ENV, SETTINGS
from infra.nag import acknowledge


class StatusPageSubscribers(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, function: lambda_.Function, api_url: str
    ) -> None:
        super().__init__(scope, construct_id)
        for variable in (EMAIL_FROM_ENV, PUBLIC_URL_ENV):
            value = self.node.try_get_context(SETTINGS[variable])
            if value is None and variable == PUBLIC_URL_ENV:
                value = api_url
            if value is not None:
                function.add_environment(variable, str(value))
        identities = f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:identity/*"
        role = function.role
        assert role is not None
        role.add_to_principal_policy(iam.PolicyStatement(actions=["ses:SendEmail"], resources=[identities]))
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]",
            "Status emails go from a verified SES identity, named in context or in the configuration: sends "
            "are limited to identities of this account and region.",
        )

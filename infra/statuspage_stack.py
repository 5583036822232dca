"""StatusPageStack: the public status page, apart from the platform so it stays up when the product is down.

It shares nothing with the platform but two names (the publisher role and a parameter, see
infra/constructs/statuspage_target.py), so it can live in another region or account: deploy it with
`-c klaxon:statuspageAccount=… -c klaxon:statuspageRegion=…` and, there, `-c klaxon:platformAccount=…`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Aws, CfnOutput, Environment, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.constructs.statuspage_hosting import StatusPageSite
from infra.constructs.statuspage_target import PLATFORM_ACCOUNT_CONTEXT, StatusPageTarget
from infra.naming import pascal_case


class StatusPageStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        platform_account: str | None = None,
        domain_names: Sequence[str] = (),
        certificate_arn: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        account = platform_account or self.node.try_get_context(PLATFORM_ACCOUNT_CONTEXT) or Aws.ACCOUNT_ID
        site = StatusPageSite(
            self,
            "Site",
            # The platform account's own IAM decides which of its roles may assume this one: only the
            # statuspage_publish function's role is granted sts:AssumeRole on it (infra/permissions.py).
            publisher=iam.AccountPrincipal(str(account)),
            domain_names=domain_names,
            certificate_arn=certificate_arn,
        )
        CfnOutput(
            self,
            "StatusPageUrl",
            value=f"https://{domain_names[0] if domain_names else site.distribution.domain_name}/",
            description="Where the public reads the status page",
        )
        CfnOutput(self, "StatusPageBucket", value=site.bucket.bucket_name)
        CfnOutput(self, "StatusPageDistributionId", value=site.distribution.distribution_id)
        CfnOutput(self, "StatusPagePublisherRoleArn", value=site.publisher_role.role_arn)


def statuspage_options(scope: Construct) -> dict[str, Any]:
    """Stack name and environment from context: beside the platform unless an account and region are given."""
    target = StatusPageTarget.of(scope)
    options: dict[str, Any] = {"stack_name": f"{pascal_case(target.name)}StatusPage"}
    if target.account and target.region:
        options["env"] = Environment(account=target.account, region=target.region)
    return options

"""Names both sides of the status page agree on without a cross-stack reference (it may be elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Stack
from constructs import Construct

NAME_CONTEXT = "klaxon:name"
# Where the StatusPageStack is deployed when not beside the platform (`-c klaxon:statuspageAccount=…`).
ACCOUNT_CONTEXT = "klaxon:statuspageAccount"
REGION_CONTEXT = "klaxon:statuspageRegion"
# Which account's publish function may assume the publisher role, when the page is in another account.
PLATFORM_ACCOUNT_CONTEXT = "klaxon:platformAccount"


@dataclass(frozen=True)
class StatusPageTarget:
    """The publisher role and the parameter naming the bucket and distribution, derived from the name."""

    name: str
    account: str | None  # None: the account of the stack reading it
    region: str | None

    @classmethod
    def of(cls, scope: Construct) -> StatusPageTarget:
        context = scope.node.try_get_context
        return cls(
            name=str(context(NAME_CONTEXT) or "klaxon"),
            account=str(context(ACCOUNT_CONTEXT)) if context(ACCOUNT_CONTEXT) else None,
            region=str(context(REGION_CONTEXT)) if context(REGION_CONTEXT) else None,
        )

    def region_in(self, stack: Stack) -> str:
        return self.region or Aws.REGION

    def role_name(self, stack: Stack) -> str:
        # IAM names are account-wide: the region keeps two deployments of one name in two regions apart.
        return f"{self.name}-statuspage-publisher-{self.region_in(stack)}"

    def role_arn(self, stack: Stack) -> str:
        account = self.account or Aws.ACCOUNT_ID
        return f"arn:{Aws.PARTITION}:iam::{account}:role/{self.role_name(stack)}"

    @property
    def parameter_name(self) -> str:
        return f"/{self.name}/statuspage/site"

"""cdk-nag's AwsSolutions pack in every synth, and the one way findings are acknowledged."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Stage, Validations
from constructs import IConstruct


def enable_cdk_nag(app: Stage) -> None:
    """Run the AwsSolutions checks at synth: an unacknowledged finding fails it (ValidationFailed)."""
    from cdk_nag import AwsSolutionsChecks  # imported here: only synth needs it, not the constructs

    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
    )


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    """Accept one cdk-nag finding on `scope` and everything under it, with the reason it is acceptable.

    `finding` is a rule id (`AwsSolutions-S1`) or, for rules with several findings per resource,
    one finding (`AwsSolutions-IAM5[Resource::*]`): cdk-nag 3 has no blanket per-rule suppression.
    """
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))


def logical_id(construct: IConstruct) -> str:
    """The CloudFormation logical id of an L2 construct's resource, as cdk-nag writes it in finding ids."""
    resource = construct.node.default_child
    if not isinstance(resource, CfnElement):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource")
    return Stack.of(construct).get_logical_id(resource)

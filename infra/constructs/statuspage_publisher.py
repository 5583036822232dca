"""The platform side of the status page: the publish function may assume the StatusPageStack's publisher role.
(Its schedule, re-rendering the page, is one of klaxon.topology.TIMERS.)"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constructs.statuspage_target import StatusPageTarget
from klaxon.settings import Settings


class StatusPagePublisher(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, function: lambda_.Function) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        target = StatusPageTarget.of(self)
        role_arn = target.role_arn(stack)
        function.add_environment(Settings.env_name("status_role_arn"), role_arn)
        function.add_environment(Settings.env_name("status_region"), target.region_in(stack))
        function.add_environment(Settings.env_name("status_parameter"), target.parameter_name)
        function.add_to_role_policy(iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[role_arn]))

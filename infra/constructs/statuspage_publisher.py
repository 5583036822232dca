"""The platform side of the status page: the publish function may assume the StatusPageStack's publisher role,
and a schedule re-renders the page (maintenance windows start and end, uptime bars move on at midnight)."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from constructs import Construct

from infra.constructs.statuspage_target import StatusPageTarget
from infra.nag import acknowledge, logical_id
from klaxon.settings import Settings

RERENDER_EVERY_MINUTES = 10  # a render that changes nothing uploads nothing and invalidates nothing


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
        self.schedule = self._build_schedule(function)

    def _build_schedule(self, function: lambda_.Function) -> scheduler.Schedule:
        # A role of its own (the default is one shared by every schedule of the stack), allowed to invoke
        # only the publish function.
        role = iam.Role(
            self,
            "RerenderRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description="EventBridge Scheduler: invoke the status page publish function",
        )
        schedule = scheduler.Schedule(
            self,
            "Rerender",
            description="Render the status page again: maintenance windows and the daily uptime bars",
            schedule=scheduler.ScheduleExpression.rate(Duration.minutes(RERENDER_EVERY_MINUTES)),
            target=scheduler_targets.LambdaInvoke(function, retry_attempts=0, role=role),
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{logical_id(function)}.Arn>:*]",
            "lambda:InvokeFunction on the publish function's versions and aliases, as CDK grants it; the "
            "function is the only resource.",
        )
        return schedule

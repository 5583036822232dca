"""Timers of klaxon.topology.TIMERS: an EventBridge Scheduler schedule per timer, invoking its function."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from constructs import Construct

from infra.nag import acknowledge, logical_id
from infra.naming import pascal_case
from klaxon.topology import TIMERS, Timer


class Timers(Construct):
    """A missed run is skipped, not retried: the next one a minute later does the same work."""

    def __init__(
        self, scope: Construct, construct_id: str, *, functions: Mapping[str, lambda_.Function]
    ) -> None:
        super().__init__(scope, construct_id)
        self.schedules = {
            timer.name: self._build_schedule(timer, functions[timer.function]) for timer in TIMERS
        }

    def _build_schedule(self, timer: Timer, function: lambda_.Function) -> scheduler.Schedule:
        name = pascal_case(timer.name)
        # A role per schedule, allowed to invoke only its function (the default role is shared by all).
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description=f"EventBridge Scheduler: invoke the {timer.function} function",
        )
        schedule = scheduler.Schedule(
            self,
            name,
            description=timer.description,
            schedule=scheduler.ScheduleExpression.rate(Duration.minutes(timer.every_minutes)),
            # The timer's name, as `klaxon up`'s ticker sends it: a function with two timers tells them apart.
            target=scheduler_targets.LambdaInvoke(
                function,
                retry_attempts=0,
                role=role,
                input=scheduler.ScheduleTargetInput.from_object({"timer": timer.name}),
            ),
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{logical_id(function)}.Arn>:*]",
            f"lambda:InvokeFunction on the {timer.function} function's versions and aliases, as CDK "
            "grants it; the function is the only resource.",
        )
        return schedule

"""The bus rules of klaxon.events.SUBSCRIPTIONS, with dead-letter queues so no event is dropped silently."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.nag import acknowledge
from infra.naming import pascal_case
from klaxon.events import SUBSCRIPTIONS, QueueDelivery, Subscription
from klaxon.topology import FUNCTIONS

# EventBridge retries a failed delivery (throttling, Lambda unavailable) with backoff. After an hour a
# late page is worse than a person looking at the dead-letter queue, whose alarm pages the operators.
DELIVERY_MAX_EVENT_AGE = Duration.hours(1)
DELIVERY_RETRY_ATTEMPTS = 185  # the most EventBridge allows: the hour is the limit that binds
# EventBridge invokes Lambda asynchronously, so a function *error* never reaches the rule's DLQ: Lambda
# retries it (at most twice) and then hands it to the function's on-failure destination.
INVOCATION_MAX_EVENT_AGE = Duration.hours(1)
INVOCATION_RETRY_ATTEMPTS = 2
DEAD_LETTER_RETENTION = Duration.days(14)  # the SQS maximum: time to fix the bug and redrive


class Subscriptions(Construct):
    """One rule per subscription, each target with a delivery DLQ and its function with a failure queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        functions: Mapping[str, lambda_.IFunction],
        state_machines: Mapping[str, sfn.IStateMachine],
        reserved: Mapping[str, int | None] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._reserved = reserved or {}
        # Every queue a failed event can land in, by what it catches: the alarms watch each one.
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        # Queues functions drain in batches (QueueDelivery), by subscription: alarmed when they fall behind.
        self.work_queues: dict[str, sqs.Queue] = {}
        self.rules = [self._build_rule(s, bus, functions, state_machines) for s in SUBSCRIPTIONS]
        for target in sorted({s.target for s in SUBSCRIPTIONS if s.target_kind == "function"}):
            self._build_failure_destination(target, functions[target])

    def _build_rule(
        self,
        subscription: Subscription,
        bus: events.IEventBus,
        functions: Mapping[str, lambda_.IFunction],
        state_machines: Mapping[str, sfn.IStateMachine],
    ) -> events.Rule:
        name = pascal_case(subscription.name)
        dead_letter_queue = self._build_dead_letter_queue(
            f"{name}DeliveryDLQ", f"events of rule {subscription.name} that could not be delivered"
        )
        target: events.IRuleTarget
        if subscription.target_kind == "state_machine":
            # Started directly by the rule; the machine names the incident's execution itself.
            target = targets.SfnStateMachine(
                state_machines[subscription.target],
                dead_letter_queue=dead_letter_queue,
                max_event_age=DELIVERY_MAX_EVENT_AGE,
                retry_attempts=DELIVERY_RETRY_ATTEMPTS,
            )
        elif subscription.queue is not None:
            queue = self._build_work_queue(subscription, subscription.queue, functions[subscription.target])
            target = targets.SqsQueue(
                queue,
                dead_letter_queue=dead_letter_queue,
                max_event_age=DELIVERY_MAX_EVENT_AGE,
                retry_attempts=DELIVERY_RETRY_ATTEMPTS,
            )
        else:
            target = targets.LambdaFunction(
                functions[subscription.target],
                dead_letter_queue=dead_letter_queue,
                max_event_age=DELIVERY_MAX_EVENT_AGE,
                retry_attempts=DELIVERY_RETRY_ATTEMPTS,
            )
        return events.Rule(
            self,
            name,
            event_bus=bus,
            # Rule names are unique per bus, and each deployment has its own bus.
            rule_name=subscription.name,
            description=subscription.description,
            event_pattern=_event_pattern(subscription.pattern),
            targets=[target],
        )

    def _build_work_queue(
        self, subscription: Subscription, delivery: QueueDelivery, function: lambda_.IFunction
    ) -> sqs.Queue:
        """The queue the rule fills and `function` drains in batches, reporting the messages it failed; a
        message received `max_receives` times moves to the queue's dead-letter queue."""
        name = pascal_case(subscription.name)
        timeout = FUNCTIONS[subscription.target].timeout_s
        if delivery.visibility_timeout_s < 6 * timeout:
            raise ValueError(
                f"{subscription.name}: the visibility timeout must be 6x {subscription.target}'s"
            )
        failed = self._build_dead_letter_queue(
            f"{name}FailedMessages",
            f"events of rule {subscription.name} the {subscription.target} function failed on",
        )
        queue = sqs.Queue(
            self,
            f"{name}Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(delivery.visibility_timeout_s),
            retention_period=DEAD_LETTER_RETENTION,  # nothing accepted is lost while the router is down
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=delivery.max_receives, queue=failed),
        )
        # Lambda's pollers stay within the function's reserved concurrency: a batch they hand a throttled
        # function would only come back after the visibility timeout, three minutes late.
        reserved = self._reserved.get(subscription.target)
        function.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=delivery.batch_size,
                report_batch_item_failures=True,
                max_concurrency=max(2, reserved) if reserved is not None else None,  # 2: AWS's least
            )
        )
        self.work_queues[subscription.name] = queue
        return queue

    def _build_failure_destination(self, target: str, function: lambda_.IFunction) -> None:
        queue = self._build_dead_letter_queue(
            f"{pascal_case(target)}FailedInvocations", f"events the {target} function failed on"
        )
        function.configure_async_invoke(
            on_failure=destinations.SqsDestination(queue),
            max_event_age=INVOCATION_MAX_EVENT_AGE,
            retry_attempts=INVOCATION_RETRY_ATTEMPTS,
        )

    def _build_dead_letter_queue(self, construct_id: str, holds: str) -> sqs.Queue:
        queue = sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DEAD_LETTER_RETENTION,
        )
        acknowledge(
            queue,
            "AwsSolutions-SQS3",
            f"This queue is a dead-letter queue ({holds}); nothing consumes it but a person redriving it.",
        )
        self.dead_letter_queues[holds] = queue
        return queue


def _event_pattern(pattern: Mapping[str, Any]) -> events.EventPattern:
    """klaxon.events' pattern as CDK's EventPattern; a top-level key CDK cannot express raises TypeError."""
    return events.EventPattern(**{key.replace("-", "_"): value for key, value in pattern.items()})

"""CloudWatch alarms on what breaks Klaxon itself, notifying the operators' SNS topic."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.nag import acknowledge
from infra.naming import pascal_case

PERIOD = Duration.minutes(1)
OUTBOX_LATE_MS = 60_000
QUEUE_LATE_S = 60


class OpsAlarms(Construct):
    """Any function error, any dead-lettered event, any API 5XX: each is a page that may not have gone out."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic_name: str,
        functions: Mapping[str, lambda_.IFunction],
        dead_letter_queues: Mapping[str, sqs.IQueue],
        api: apigateway.RestApi,
        state_machines: Mapping[str, sfn.IStateMachine] | None = None,
        work_queues: Mapping[str, sqs.IQueue] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = self._build_topic(topic_name)
        self._action = cloudwatch_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
        for name, function in functions.items():
            self._build_alarm(
                f"{pascal_case(name)}Errors",
                function.metric_errors(period=PERIOD),
                f"The {name} function failed",
            )
        for holds, queue in dead_letter_queues.items():
            self._build_alarm(
                f"{queue.node.id}NotEmpty",
                queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
                f"Dead-lettered: {holds}",
            )
        self._build_alarm("Api5xx", api.metric_server_error(period=PERIOD), "The API answered 5XX")
        self._build_alarm(
            "EscalationsRestored",
            _klaxon_sum("EscalationsRestored", "escalation-sweeper"),
            "The sweeper found a triggered incident with nobody paging and resumed its escalation",
        )
        self._build_alarm(
            "OutboxRecordsUnreadable",
            _klaxon_sum("OutboxRecordsUnreadable", "outbox-relay"),
            "The outbox relay skipped an incident change it could not read: its event was never published",
        )
        if "outbox_relay" in functions:
            # Events wait in the stream while publishing fails (retried without end): pages and stops wait.
            self._build_alarm(
                "OutboxRelayBehind",
                functions["outbox_relay"].metric(
                    "IteratorAge", period=PERIOD, statistic="Maximum", unit=cloudwatch.Unit.MILLISECONDS
                ),
                "Incident events are more than a minute late leaving the incidents table's stream",
                threshold=OUTBOX_LATE_MS,
            )
        for name, queue in (work_queues or {}).items():
            # The router fails or cannot keep up: alerts wait in its queue, and their pages with them.
            self._build_alarm(
                f"{pascal_case(name)}QueueBehind",
                queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum"),
                f"Events of rule {name} wait more than a minute in its queue",
                threshold=QUEUE_LATE_S,
            )
        for name, machine in (state_machines or {}).items():
            # A failed escalation is an incident whose pages stopped: as urgent as a dead-lettered event.
            self._build_alarm(
                f"{pascal_case(name)}ExecutionsFailed",
                machine.metric_failed(period=PERIOD),
                f"An {name} execution failed: its incident stopped paging",
            )
            self._build_alarm(
                f"{pascal_case(name)}ExecutionsTimedOut",
                machine.metric_timed_out(period=PERIOD),
                f"An {name} execution ran out of time: its incident stopped paging",
            )

    def _build_topic(self, topic_name: str) -> sns.Topic:
        topic = sns.Topic(
            self, "Topic", topic_name=topic_name, display_name="Klaxon ops alarms", enforce_ssl=True
        )
        acknowledge(
            topic,
            "AwsSolutions-SNS2",
            "Alarm notifications carry alarm names and states, no incident data; CloudWatch cannot publish "
            "to a topic under the AWS-managed SNS key, and the topic enforces TLS instead (SNS3).",
        )
        return topic

    def _build_alarm(
        self, construct_id: str, metric: cloudwatch.IMetric, description: str, threshold: float = 0
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            threshold=threshold,
            evaluation_periods=1,
            # No data means no errors, no messages, no requests: all healthy.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        self.alarms.append(alarm)


def _klaxon_sum(metric_name: str, service: str) -> cloudwatch.Metric:
    """A metric a Klaxon function emits (Powertools Metrics, namespace `Klaxon`), summed per period."""
    return cloudwatch.Metric(
        namespace="Klaxon",
        metric_name=metric_name,
        dimensions_map={"service": service},
        statistic="Sum",
        period=PERIOD,
    )

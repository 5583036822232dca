"""The outbox relay's source: the incidents table's stream, read by `outbox_relay` in order, at least once.

Every incident write carries its event (klaxon.adapters.tables.OutboxAttribute); this mapping hands each
committed write to the relay, which publishes it to the bus. A failed publish reports the record
(ReportBatchItemFailures): the stream delivers it again, with everything after it, and holds the rest of
the shard until it goes. There is no retry limit and no record age limit: an event is dropped only when
the stream's 24 h retention passes, and `OutboxRelayBehind` alarms long before (the iterator age).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

BATCH_SIZE = 100
# Only writes with an event reach the function (a write with none removes `outbox`; expiries remove it).
WITH_EVENT = lambda_.FilterCriteria.filter(
    {
        "eventName": ["INSERT", "MODIFY"],
        "dynamodb": {"NewImage": {"outbox": {"M": {"detail_type": {"S": lambda_.FilterRule.exists()}}}}},
    }
)


class Outbox(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, table: dynamodb.ITable, relay: lambda_.IFunction
    ) -> None:
        super().__init__(scope, construct_id)
        # Granted by the event source: DescribeStream, GetRecords, GetShardIterator, ListStreams.
        relay.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=BATCH_SIZE,
                max_batching_window=Duration.seconds(0),  # a page waits for its event: no batching delay
                report_batch_item_failures=True,
                # No retry_attempts nor max_record_age: both default to infinite (-1), so a record is retried
                # until it goes; the alarm on the iterator age calls a person long before.
                filters=[WITH_EVENT],
            )
        )

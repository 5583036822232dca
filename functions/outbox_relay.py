"""The outbox relay: the incidents table's stream → the event bus. Each incident write carries its event;
this publishes it once the write has committed (at least once, in order per incident)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring

logger = Logger(service="klaxon-outbox")
metrics = Metrics(namespace="Klaxon", service="outbox-relay")


@metrics.log_metrics
@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    relayed = wiring.container().outbox_relay.relay(event.get("Records", []))
    metrics.add_metric(name="OutboxEventsPublished", unit=MetricUnit.Count, value=relayed.published)
    # Alarmed on: a record the relay could not read is an incident change whose event was never sent.
    metrics.add_metric(name="OutboxRecordsUnreadable", unit=MetricUnit.Count, value=len(relayed.unreadable))
    if relayed.unreadable:
        logger.error("unreadable incident change records skipped", extra={"sequence": relayed.unreadable})
    # The stream delivers the batch again from the first record not published (ReportBatchItemFailures).
    failures = [] if relayed.retry_from is None else [{"itemIdentifier": relayed.retry_from}]
    return {"batchItemFailures": failures}

"""Router: "Alert Received" and "Change Received" from the alerts queue, in batches, become incidents and
timeline entries; "Incident Resolved" from the bus releases the incidents it inhibited."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.events import AlertReceived, ChangeReceived, DetailType, IncidentChanged

logger = Logger(service="klaxon-router")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:  # a batch from the alerts queue (klaxon.events.QueueDelivery)
        return {"batchItemFailures": [{"itemIdentifier": m} for m in _failed(event["Records"])]}
    return _route(event)


def _failed(records: list[dict[str, Any]]) -> list[str]:
    """Route each message's bus event; the ids of those that failed, received again later (and after the
    queue's last receive, dead-lettered). Powertools' batch utility would do the same loop for 45 ms more
    of cold import on the page path."""
    failed = []
    for record in records:
        try:
            _route(json.loads(record["body"]))
        except Exception:
            logger.exception(
                "routing failed: the message is received again", extra={"id": record["messageId"]}
            )
            failed.append(record["messageId"])
    return failed


def _route(event: dict[str, Any]) -> dict[str, Any]:
    detail_type = event.get("detail-type")
    service = wiring.container().router_service
    if detail_type == DetailType.CHANGE_RECEIVED:
        service.record_change(ChangeReceived.model_validate(event["detail"]).change)
        return {"result": "change recorded"}
    if detail_type == DetailType.INCIDENT_RESOLVED:  # it may have inhibited others: release them
        source = IncidentChanged.model_validate(event["detail"]).incident
        released = wiring.container().noise_control.on_resolved(source)
        return {"result": "released", "incidents": [i.id for i in released]}
    if detail_type != DetailType.ALERT_RECEIVED:
        raise ValueError(f"router does not handle {detail_type!r}")
    outcome = service.handle(AlertReceived.model_validate(event["detail"]))
    incident = outcome.incident
    logger.info(
        "alert routed", extra={"result": outcome.result, "incident": incident.id if incident else None}
    )
    return {"result": outcome.result, "incident": incident.id if incident else None}

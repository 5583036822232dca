"""Router: "Alert Received" and "Change Received" from the alerts queue, in batches, become incidents and
timeline entries; "Incident Resolved" from the bus releases the incidents it inhibited."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.domain.incident.models import Alert
from klaxon.events import AlertReceived, ChangeReceived, DetailType, IncidentChanged
from klaxon.services.incident.alert_batch import route_batch
from klaxon.services.incident.router import Outcome

logger = Logger(service="klaxon-router")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:  # a batch from the alerts queue (klaxon.events.QueueDelivery)
        return {"batchItemFailures": [{"itemIdentifier": m} for m in _failed(event["Records"])]}
    return _route(event)


def _failed(records: list[dict[str, Any]]) -> list[str]:
    """Route the batch's bus events, the alerts of one dedup key folded into one write
    (klaxon.services.incident.alert_batch); the ids of the messages that failed, received again later (and
    after the queue's last receive, dead-lettered). Powertools' batch utility routes one record at a time
    and costs 45 ms more of cold import on the page path."""
    service = wiring.container().router_service
    failed: list[str] = []
    alerts: list[tuple[str, Alert]] = []
    for record in records:
        try:
            event = json.loads(record["body"])
            if event.get("detail-type") == DetailType.ALERT_RECEIVED:
                alerts.append(
                    (record["messageId"], service.alert_of(AlertReceived.model_validate(event["detail"])))
                )
            else:
                _route(event)
        except Exception:
            logger.exception(
                "routing failed: the message is received again", extra={"id": record["messageId"]}
            )
            failed.append(record["messageId"])
    for (message_id, _), result in zip(alerts, route_batch(service, [a for _, a in alerts]), strict=True):
        if isinstance(result, Exception):
            logger.error(
                "routing failed: the message is received again", extra={"id": message_id}, exc_info=result
            )
            failed.append(message_id)
        else:
            _log(result)
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
    return _log(service.handle(AlertReceived.model_validate(event["detail"])))


def _log(outcome: Outcome) -> dict[str, Any]:
    routed = {"result": outcome.result, "incident": outcome.incident.id if outcome.incident else None}
    logger.info("alert routed", extra=routed)
    return routed

"""Router: "Alert Received" and "Change Received" from the bus become incidents and timeline entries."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.events import AlertReceived, ChangeReceived, DetailType, IncidentChanged

logger = Logger(service="klaxon-router")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
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

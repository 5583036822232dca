"""Stop an incident's escalation execution when it is acknowledged or resolved."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.events import IncidentChanged

logger = Logger(service="klaxon-escalation")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    incident = IncidentChanged.model_validate(event["detail"]).incident
    stopped, timer = wiring.container().escalation_stopper.on_change(incident)
    logger.info("escalation stopped", extra={"incident": incident.id, "stopped": stopped, "ack_timer": timer})
    return {"stopped": stopped, "ack_timer": timer}

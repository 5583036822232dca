"""Escalation step: the Step Functions task that pages whoever is due and says how long to wait."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.services.paging.escalation import EscalationState

logger = Logger(service="klaxon-escalation")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    state = wiring.container().escalation_service.run(EscalationState.model_validate(event))
    logger.info(
        "escalation tick", extra={"incident": state.incident_id, "done": state.done, "reason": state.reason}
    )
    return state.model_dump(mode="json")

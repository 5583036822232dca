"""Stop an incident's escalation execution when it is acknowledged or resolved."""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon.adapters.aws import client
from klaxon.domain.models import IncidentStatus, Urgency
from klaxon.events import IncidentChanged, IncidentSnapshot
from klaxon.topology import execution_name

logger = Logger(service="klaxon-escalation")


def execution_arn(state_machine_arn: str, name: str) -> str:
    return f"{state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    incident = IncidentChanged.model_validate(event["detail"]).incident
    machine = os.environ["KLAXON_ESCALATION_STATE_MACHINE"]
    sfn = client("stepfunctions")
    stopped = True
    try:
        arn = execution_arn(machine, execution_name(incident.id, incident.escalation_round))
        sfn.stop_execution(executionArn=arn, cause=f"incident {incident.status.value}")
    except sfn.exceptions.ExecutionDoesNotExist:
        # A P3/P4 incident never escalated; the step function also ends a run that finds it acknowledged.
        stopped = False
    timer = incident.status is IncidentStatus.ACKNOWLEDGED and _start_ack_timer(sfn, machine, incident)
    logger.info("escalation stopped", extra={"incident": incident.id, "stopped": stopped, "ack_timer": timer})
    return {"stopped": stopped, "ack_timer": timer}


def _start_ack_timer(sfn: Any, machine: str, incident: IncidentSnapshot) -> bool:
    """If the policy sets an acknowledgement timeout, a run that re-triggers the incident when it expires."""
    from klaxon import wiring
    from klaxon.domain.models import Incident
    from klaxon.services.escalation import policy_of

    full = Incident.model_validate(incident.model_dump() | {"updated_at": incident.created_at})
    policy = policy_of(full, wiring.escalation_directory())
    if policy is None or policy.ack_timeout_minutes is None or incident.acknowledged_at is None:
        return False
    if incident.urgency is not Urgency.HIGH:
        return False  # a low-urgency incident re-triggered would page no one anyway
    state = {
        "incident_id": incident.id,
        "round": incident.escalation_round,
        "ack_timer": True,
        "acknowledged_at": incident.acknowledged_at.isoformat(),
    }
    with contextlib.suppress(sfn.exceptions.ExecutionAlreadyExists):  # this ack's timer already runs
        sfn.start_execution(
            stateMachineArn=machine,
            name=f"{incident.id}-{incident.escalation_round}-ack",
            input=json.dumps(state),
        )
    return True

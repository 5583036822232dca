"""Step Functions as the escalation runner: one execution per incident round, named by the topology."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from klaxon.adapters.aws import client
from klaxon.topology import execution_name


def execution_arn(state_machine_arn: str, name: str) -> str:
    return f"{state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"


class StepFunctionsRunner:
    def __init__(self, state_machine_arn: str, sfn: Any = None) -> None:
        self.machine = state_machine_arn
        self.sfn = sfn or client("stepfunctions")

    def stop(self, incident_id: str, round_: int, cause: str) -> bool:
        arn = execution_arn(self.machine, execution_name(incident_id, round_))
        try:
            self.sfn.stop_execution(executionArn=arn, cause=cause)
        except self.sfn.exceptions.ExecutionDoesNotExist:
            return False
        return True

    def start_ack_timer(self, incident_id: str, round_: int, acknowledged_at: str) -> None:
        state = {
            "incident_id": incident_id,
            "round": round_,
            "ack_timer": True,
            "acknowledged_at": acknowledged_at,
        }
        with contextlib.suppress(self.sfn.exceptions.ExecutionAlreadyExists):  # this ack's timer already runs
            self.sfn.start_execution(
                stateMachineArn=self.machine, name=f"{incident_id}-{round_}-ack", input=json.dumps(state)
            )

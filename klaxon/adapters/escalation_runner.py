"""Step Functions as the escalation runner: one execution per incident round, named by the topology."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

from klaxon.adapters.aws import client
from klaxon.domain.paging.sweep import Claim
from klaxon.topology import execution_name, execution_round, resumed_execution_name


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

    def running(self) -> set[tuple[str, int]]:
        found: set[tuple[str, int]] = set()
        pages = self.sfn.get_paginator("list_executions").paginate(
            stateMachineArn=self.machine, statusFilter="RUNNING"
        )
        for page in pages:
            found.update(r for e in page["executions"] if (r := execution_round(e["name"])) is not None)
        return found

    def resume(self, incident_id: str, round_: int, claim: Claim | None, now: datetime) -> str:
        state: dict[str, Any] = {"incident_id": incident_id, "round": round_}
        if claim is not None:  # the execution waits 0 s, then runs the tick as its own retry (its token)
            tick = claim.tick
            state |= {"loop": tick.loop, "step": tick.step, "at_minute": tick.at_minute}
            state |= {"token": claim.token, "wait_seconds": 0}
        name = resumed_execution_name(incident_id, round_, int(now.timestamp()))
        with contextlib.suppress(self.sfn.exceptions.ExecutionAlreadyExists):  # restored this second already
            self.sfn.start_execution(stateMachineArn=self.machine, name=name, input=json.dumps(state))
        return name

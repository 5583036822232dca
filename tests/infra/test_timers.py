"""Timers: an EventBridge Scheduler schedule per klaxon.topology.TIMERS entry, each with its own role."""

from __future__ import annotations

from typing import Any

import pytest

from klaxon.topology import TIMERS, Timer
from tests.infra.support import function_logical_id, ref, resources_of_type


def _schedule_of(cfn: dict[str, Any], timer: Timer) -> dict[str, Any]:
    target = function_logical_id(cfn, timer.function)
    found = [
        s
        for s in resources_of_type(cfn, "AWS::Scheduler::Schedule").values()
        if s["Properties"]["Target"]["Arn"]["Fn::GetAtt"][0] == target
    ]
    assert len(found) == 1, f"{timer.function}: {len(found)} schedules"
    return found[0]


@pytest.mark.parametrize("timer", TIMERS, ids=lambda t: t.name)
def test_each_timer_invokes_its_function_at_its_rate(cfn: dict[str, Any], timer: Timer) -> None:
    schedule = _schedule_of(cfn, timer)

    unit = "minute" if timer.every_minutes == 1 else "minutes"
    assert schedule["Properties"]["ScheduleExpression"] == f"rate({timer.every_minutes} {unit})"


@pytest.mark.parametrize("timer", TIMERS, ids=lambda t: t.name)
def test_a_missed_run_is_not_retried(cfn: dict[str, Any], timer: Timer) -> None:
    schedule = _schedule_of(cfn, timer)

    assert schedule["Properties"]["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 0


def test_each_timer_has_a_role_of_its_own(cfn: dict[str, Any]) -> None:
    roles = {ref(_schedule_of(cfn, timer)["Properties"]["Target"]["RoleArn"]) for timer in TIMERS}

    assert len(roles) == len(TIMERS)

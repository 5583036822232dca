"""Timers: an EventBridge Scheduler schedule per klaxon.topology.TIMERS entry, each with its own role."""

from __future__ import annotations

import json
from typing import Any

import pytest

from klaxon.topology import TIMERS, Timer
from tests.infra.support import function_logical_id, ref, resources_of_type


def _schedule_of(cfn: dict[str, Any], timer: Timer) -> dict[str, Any]:
    """The schedule invoking the timer's function with the timer's name (a function may have two timers)."""
    target = function_logical_id(cfn, timer.function)
    found = [
        s
        for s in resources_of_type(cfn, "AWS::Scheduler::Schedule").values()
        if s["Properties"]["Target"]["Arn"]["Fn::GetAtt"][0] == target
        and json.loads(s["Properties"]["Target"]["Input"]) == {"timer": timer.name}
    ]
    assert len(found) == 1, f"{timer.name}: {len(found)} schedules"
    return found[0]


def _rate(minutes: int) -> str:
    """CDK's rendering of a rate of `minutes`: in days or hours when whole."""
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"rate({count} {unit}{'' if count == 1 else 's'})"
    raise AssertionError(minutes)


@pytest.mark.parametrize("timer", TIMERS, ids=lambda t: t.name)
def test_each_timer_invokes_its_function_at_its_rate(cfn: dict[str, Any], timer: Timer) -> None:
    schedule = _schedule_of(cfn, timer)

    assert schedule["Properties"]["ScheduleExpression"] == _rate(timer.every_minutes)


@pytest.mark.parametrize("timer", TIMERS, ids=lambda t: t.name)
def test_a_missed_run_is_not_retried(cfn: dict[str, Any], timer: Timer) -> None:
    schedule = _schedule_of(cfn, timer)

    assert schedule["Properties"]["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 0


def test_each_timer_has_a_role_of_its_own(cfn: dict[str, Any]) -> None:
    roles = {ref(_schedule_of(cfn, timer)["Properties"]["Target"]["RoleArn"]) for timer in TIMERS}

    assert len(roles) == len(TIMERS)

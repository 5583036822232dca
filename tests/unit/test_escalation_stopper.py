"""Acknowledged or resolved: the round stops, and the acknowledgement timer starts when the policy asks."""

from __future__ import annotations

from datetime import UTC, datetime

from klaxon.domain.incident.models import IncidentStatus, Priority, Urgency
from klaxon.domain.paging.policy import EscalationPolicy
from klaxon.events import IncidentSnapshot
from klaxon.services.paging.control import EscalationStopper
from klaxon.services.paging.policies import PoliciesAndPeople

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
POLICY = {"id": "p", "steps": [{"targets": [{"user": "alice"}], "delay_minutes": 5}]}


class Runner:
    def __init__(self, running: bool = True) -> None:
        self.running = running
        self.stopped: list[tuple[str, int, str]] = []
        self.timers: list[tuple[str, int, str]] = []

    def stop(self, incident_id: str, round_: int, cause: str) -> bool:
        self.stopped.append((incident_id, round_, cause))
        return self.running

    def start_ack_timer(self, incident_id: str, round_: int, acknowledged_at: str) -> None:
        self.timers.append((incident_id, round_, acknowledged_at))


def stopper(runner: Runner, timeout: int | None) -> EscalationStopper:
    policy = EscalationPolicy.model_validate({**POLICY, "ack_timeout_minutes": timeout})
    book = PoliciesAndPeople(policies={"p": policy}, service_policy={"checkout": "p"}, people={})
    return EscalationStopper(runner=runner, directory=lambda: book)


def snapshot(status: IncidentStatus, urgency: Urgency = Urgency.HIGH) -> IncidentSnapshot:
    return IncidentSnapshot(
        id="i1",
        number=1,
        title="t",
        service="checkout",
        priority=Priority.P1,
        urgency=urgency,
        status=status,
        dedup_key="k",
        alert_count=1,
        created_at=NOW,
        acknowledged_at=NOW if status is IncidentStatus.ACKNOWLEDGED else None,
        escalation_round=2,
    )


def test_an_acknowledgement_stops_the_round_and_starts_the_policys_timer():
    runner = Runner()
    assert stopper(runner, 30).on_change(snapshot(IncidentStatus.ACKNOWLEDGED)) == (True, True)
    assert runner.stopped == [("i1", 2, "incident acknowledged")]
    assert runner.timers == [("i1", 2, NOW.isoformat())]


def test_no_timer_without_a_timeout_while_muted_or_on_resolve():
    muted = snapshot(IncidentStatus.ACKNOWLEDGED, Urgency.LOW).model_copy(
        update={"muted_urgency": Urgency.HIGH}
    )
    for policy_timeout, incident in [
        (None, snapshot(IncidentStatus.ACKNOWLEDGED)),
        (30, muted),
        (30, snapshot(IncidentStatus.RESOLVED)),
    ]:
        runner = Runner(running=False)
        assert stopper(runner, policy_timeout).on_change(incident) == (False, False)
        assert runner.timers == []


def test_a_low_urgency_acknowledgement_gets_its_timer_too():
    # Triggered again, a P3/P4 is told again by its policy's low-urgency channels (issue 13 section 4).
    runner = Runner(running=False)
    assert stopper(runner, 30).on_change(snapshot(IncidentStatus.ACKNOWLEDGED, Urgency.LOW)) == (False, True)
    assert len(runner.timers) == 1

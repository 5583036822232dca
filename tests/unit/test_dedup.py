"""The router's one dedup decision, and the key shapes every source uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from klaxon.domain.incident import dedup
from klaxon.domain.incident.dedup import CLAIM_TIMEOUT, Decision, DedupClaim, decide
from klaxon.domain.incident.models import Incident, IncidentStatus, Priority, Urgency

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def incident(status: IncidentStatus = IncidentStatus.TRIGGERED) -> Incident:
    return Incident(
        id="i1",
        number=1,
        title="t",
        service="checkout",
        priority=Priority.P1,
        urgency=Urgency.HIGH,
        status=status,
        dedup_key="k",
        created_at=NOW,
        updated_at=NOW,
    )


class Window:
    def __init__(self, open_: bool) -> None:
        self.open = open_

    def joins(self, incident: Incident, now: datetime) -> bool:
        return self.open


CLAIM = DedupClaim(incident_id="i1", claimed_at=NOW - timedelta(seconds=5))


@pytest.mark.parametrize(
    ("claim", "latest", "group", "now", "expected"),
    [
        (None, None, None, NOW, Decision.CLAIM),
        (CLAIM, None, None, NOW, Decision.WAIT),  # its writer is still writing the incident
        (CLAIM, None, None, NOW + CLAIM_TIMEOUT, Decision.TAKE_OVER),  # its writer died
        (CLAIM, incident(), None, NOW, Decision.JOIN),
        (CLAIM, incident(IncidentStatus.ACKNOWLEDGED), None, NOW, Decision.JOIN),
        (CLAIM, incident(IncidentStatus.RESOLVED), None, NOW, Decision.CLAIM),
        (CLAIM, incident(), Window(True), NOW, Decision.JOIN),
        (CLAIM, incident(), Window(False), NOW, Decision.CLAIM),  # past the group's window
    ],
)
def test_decide(claim, latest, group, now, expected):
    assert decide(claim, latest, group, now) is expected


def test_every_key_shape_lives_here():
    assert dedup.group_key_hash("g") == "cd0aa9856147b6c5b4ff2b7dfee5da20aa38253099ef1b4a64aced233c9afe29"
    assert dedup.sentry_issue_key("42") == "sentry-issue:42"
    assert dedup.sentry_metric_alert_key("7") == "sentry-metric-alert:7"
    assert dedup.heartbeat_key("nightly") == "heartbeat:nightly"
    assert dedup.drill_key("d1") == "drill-d1"
    assert dedup.summary_key("s", None) != dedup.summary_key("s", "host")
    assert dedup.label_group_key({"cluster": "eu", "x": "1"}, ["cluster", "env"]) == "group:cluster=eu,env="
    assert dedup.label_group_key({"x": "1"}, ["cluster"]) is None


def test_alert_ids_alternate_between_two_generations_each_started_afresh():
    # The opener is alert 1 (written with the incident); joining alerts are read at count 1, 2, ...
    assert dedup.memory_slot(1, per_generation=3) == dedup.MemorySlot(slot=0, fresh=False)
    assert dedup.memory_slot(2, per_generation=3) == dedup.MemorySlot(slot=0, fresh=False)
    assert dedup.memory_slot(3, per_generation=3) == dedup.MemorySlot(slot=1, fresh=True)
    assert dedup.memory_slot(5, per_generation=3) == dedup.MemorySlot(slot=1, fresh=False)
    assert dedup.memory_slot(6, per_generation=3) == dedup.MemorySlot(slot=0, fresh=True)
    assert dedup.memory_slot(999) == dedup.MemorySlot(slot=0, fresh=False)
    assert dedup.memory_slot(1000) == dedup.MemorySlot(slot=1, fresh=True)

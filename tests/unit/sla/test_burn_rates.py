"""Multi-window burn-rate alerts (the SRE workbook's table) for alert-driven SLOs: a rule fires only when
both its windows burn at its rate; its alert is raised once while it fires and resolved once it stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from klaxon.domain.incident.models import AlertAction, IncidentStatus, Severity
from klaxon.domain.sla.budget import Slo
from klaxon.domain.sla.burn import AlertSource, burn_rate, burning
from klaxon.domain.sla.downtime import Span
from klaxon.domain.sla.thresholds import AlertPolicy
from klaxon.domain.statuspage.models import ComponentStatus
from klaxon.services.sla.burn import SlaBurn
from tests.fakes.memory import CountingIds, FixedClock, MemoryIncidents, MemoryTimeline, RecordingBus
from tests.unit.chat.test_room_service import an_incident

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
MAJOR = ComponentStatus.MAJOR_OUTAGE


def down(minutes_ago: float, minutes: float) -> Span:
    return Span(NOW - timedelta(minutes=minutes_ago), NOW - timedelta(minutes=minutes_ago - minutes), MAJOR)


def test_the_burn_rate_is_the_share_down_over_the_budgets_share():
    assert burn_rate([down(60, 6)], 99.9, NOW, timedelta(hours=1)) == pytest.approx(100.0)  # 10% against 0.1%
    assert burn_rate([], 99.9, NOW, timedelta(hours=1)) == 0.0


def test_a_rule_fires_only_when_both_its_windows_burn():
    # 3 minutes down just now: 1 h 50x and 5 min 600x; 6 h 8.3x and 30 min 100x; 1 day only 2.1x.
    assert [b.rule.name for b in burning([down(3, 3)], 99.9, NOW)] == ["page-1h", "page-6h"]
    # 6 minutes down, over 40 minutes ago: the short windows of the pages are quiet; 1 day 4.2x and 2 h 50x,
    # 3 days 1.4x and 6 h 16.7x: the tickets fire.
    old = burning([down(50, 6)], 99.9, NOW)
    assert [(b.rule.name, b.rule.severity) for b in old] == [
        ("ticket-1d", Severity.WARNING),
        ("ticket-3d", Severity.WARNING),
    ]


def test_an_alert_driven_slo_raises_each_rule_once_and_resolves_it_when_it_stops():
    timeline = MemoryTimeline()
    incidents = MemoryIncidents(timeline)
    incidents.items["e1"] = an_incident(
        id="e1", created_at=NOW - timedelta(minutes=4), labels={"alertname": "HighErrorRate"}
    )
    incidents.items["x1"] = an_incident(id="x1", created_at=NOW - timedelta(minutes=4), service="payments")
    slo = Slo(
        id="checkout-errors",
        components=frozenset(),
        target=99.9,
        alerts=AlertSource("checkout", {"alertname": "HighErrorRate"}),
    )
    marked: set[str] = set()

    def mark(key: str) -> bool:
        first = key not in marked
        marked.add(key)
        return first

    def unmark(key: str) -> bool:
        was = key in marked
        marked.discard(key)
        return was

    clock, bus = FixedClock(NOW), RecordingBus()
    burn = SlaBurn(
        incidents=incidents,
        slos=lambda: {slo.id: slo},
        policy=lambda: AlertPolicy(service="platform"),
        mark=mark,
        unmark=unmark,
        bus=bus,
        clock=clock,
        ids=CountingIds(),
    )
    raised = burn.check()
    assert "checkout-errors#page-1h +" in raised
    assert burn.check() == []  # once while it fires
    first = bus.events[0][1].alert
    assert (first.action, first.dedup_key, first.labels["rule"]) == (
        AlertAction.TRIGGER,
        "sla-burn:checkout-errors#page-1h",
        "page-1h",
    )

    incidents.items["e1"] = incidents.items["e1"].model_copy(
        update={"status": IncidentStatus.RESOLVED, "resolved_at": NOW - timedelta(minutes=1)}
    )
    clock.at = NOW + timedelta(hours=7)
    resolved = burn.check()
    assert "checkout-errors#page-1h -" in resolved
    assert {e[1].alert.action for e in bus.events[len(raised) :]} == {AlertAction.RESOLVE}

"""The noise report: per source and service, alerts, incidents, pages, ack rate and time; noisiest keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from klaxon.domain.incident.models import Incident, IncidentStatus, Priority, Urgency
from klaxon.domain.noise.report import noise_report

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)


def incident(n: int, key: str, alerts: int, ack_after: int | None = None, **changes: object) -> Incident:
    created = START + timedelta(days=n)
    fields = {
        "id": f"i{n}",
        "number": n,
        "title": key,
        "service": "checkout",
        "priority": Priority.P1,
        "urgency": Urgency.HIGH,
        "status": IncidentStatus.RESOLVED,
        "dedup_key": key,
        "alert_count": alerts,
        "integration": "checkout-events",
        "created_at": created,
        "updated_at": created,
        "acknowledged_at": created + timedelta(seconds=ack_after) if ack_after is not None else None,
    }
    return Incident.model_validate(fields | changes)


INCIDENTS = [
    incident(1, "disk", 40, ack_after=60),
    incident(2, "disk", 30, ack_after=180),
    incident(3, "cpu", 5),
    incident(4, "flaky", 2, maintenance_window="deploy"),
    incident(5, "other", 1, integration="alertmanager", service="search", ack_after=30),
]
PAGES = {"i1": 1, "i2": 2, "i3": 1, "i5": 1}


def test_alerts_incidents_and_pages_add_up_per_source() -> None:
    (row,) = [
        r for r in noise_report(INCIDENTS, PAGES, START, END).sources if r.integration == "checkout-events"
    ]

    assert (row.alerts, row.incidents, row.pages, row.muted) == (77, 4, 4, 1)


def test_ack_rate_counts_incidents_that_paged() -> None:
    (row,) = [
        r for r in noise_report(INCIDENTS, PAGES, START, END).sources if r.integration == "checkout-events"
    ]

    assert row.ack_rate == round(2 / 3, 4)


def test_median_time_to_ack_is_in_seconds() -> None:
    (row,) = [
        r for r in noise_report(INCIDENTS, PAGES, START, END).sources if r.integration == "checkout-events"
    ]

    assert row.median_seconds_to_ack == 120


def test_the_noisiest_dedup_key_comes_first() -> None:
    report = noise_report(INCIDENTS, PAGES, START, END)

    assert (report.noisiest[0].dedup_key, report.noisiest[0].alerts, report.noisiest[0].incidents) == (
        "disk",
        70,
        2,
    )


def test_incidents_outside_the_range_are_left_out() -> None:
    report = noise_report(INCIDENTS, PAGES, START, START + timedelta(days=2, hours=1))

    assert report.incidents == 2


def test_drills_are_left_out() -> None:
    report = noise_report([incident(1, "drill", 1, drill=True)], {}, START, END)

    assert report.incidents == 0


def test_noisiest_rules_rank_the_routing_rules_by_the_alerts_of_the_incidents_they_opened() -> None:
    routed = [
        incident(6, "a", 50, routing_rule="db-to-platform"),
        incident(7, "b", 7, routing_rule="db-to-platform"),
        incident(8, "c", 90, routing_rule="cdn-noise"),
        incident(9, "d", 3),
    ]
    report = noise_report(routed, {"i6": 1}, START, END)
    assert [(r.rule, r.alerts, r.incidents, r.pages) for r in report.noisiest_rules] == [
        ("cdn-noise", 90, 1, 0),
        ("db-to-platform", 57, 2, 1),
    ]

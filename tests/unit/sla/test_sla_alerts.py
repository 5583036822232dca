"""The budgets' threshold alerts: each threshold passed raises its alert once per customer, SLO and window,
told below `page_at` (warning) and paged from it (critical); an alert the bus did not take is raised again
next time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from klaxon.domain.incident.models import Severity
from klaxon.domain.sla.budget import Slo
from klaxon.domain.sla.customers import Contract, Customer
from klaxon.domain.sla.thresholds import AlertPolicy
from klaxon.domain.statuspage.models import ComponentStatus, PublicStatus, Snapshot
from klaxon.services.sla.alerts import SlaAlerts
from klaxon.services.sla.budgets import SlaService
from tests.fakes.memory import CountingIds, FixedClock, RecordingBus
from tests.unit.statuspage.factories import incident

NOW = datetime(2026, 9, 10, 12, tzinfo=UTC)
SLO = Slo(id="storefront", components=frozenset({"checkout"}), target=99.9)  # 43.2 min in September
ACME = Customer(
    id="acme", name="Acme", components=frozenset({"checkout"}), contracts=(Contract("storefront"),)
)


class FailingBus(RecordingBus):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def publish(self, detail_type, detail):  # type: ignore[no-untyped-def]
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the bus did not take it")
        super().publish(detail_type, detail)


def alerts(minutes_down: float, bus: RecordingBus | None = None) -> tuple[SlaAlerts, RecordingBus, set[str]]:
    down = incident(
        1,
        {"checkout": ComponentStatus.MAJOR_OUTAGE},
        started=NOW - timedelta(hours=2),
        resolved_after=timedelta(minutes=minutes_down),
    )
    clock = FixedClock(NOW)
    budgets = SlaService(
        snapshot=lambda: Snapshot(incidents=[down]),
        slos=lambda: {"storefront": SLO},
        customers=lambda: [ACME],
        clock=clock,
    )
    claimed: set[str] = set()

    def claim(key: str) -> bool:
        if key in claimed:
            return False
        claimed.add(key)
        return True

    used = bus or RecordingBus()
    service = SlaAlerts(
        budgets=budgets,
        policy=lambda: AlertPolicy(service="platform"),
        claim=claim,
        release=claimed.discard,
        bus=used,
        clock=clock,
        ids=CountingIds(),
    )
    return service, used, claimed


def test_each_threshold_passed_is_raised_once_told_below_90_and_paged_from_it():
    service, bus, _ = alerts(minutes_down=40)  # 92.6% of 43.2 min
    raised = service.check()
    assert [key.split("#")[2] for key in raised] == ["50", "75", "90"]
    sent = [detail.alert for _, detail in bus.events]
    assert [a.severity for a in sent] == [Severity.WARNING, Severity.WARNING, Severity.CRITICAL]
    assert sent[2].labels == {
        "alertname": "SLABudgetConsumed",
        "customer": "acme",
        "slo": "storefront",
        "threshold": "90",
    }
    assert sent[2].summary.startswith("Acme's 99.9% budget (storefront) is 92.59% used: 40 of 43.2 min")
    assert sent[2].dedup_key == "sla:acme#storefront#90#2026-09-01T0000" and sent[2].service == "platform"
    assert service.check() == []  # once per window


def test_nothing_is_raised_under_the_first_threshold():
    service, bus, _ = alerts(minutes_down=20)  # 46%
    assert service.check() == [] and bus.events == []


def test_an_alert_the_bus_did_not_take_is_raised_again():
    service, bus, claimed = alerts(minutes_down=30, bus=FailingBus(failures=1))
    with pytest.raises(RuntimeError):
        service.check()
    assert claimed == set() and bus.events == []
    assert [key.split("#")[2] for key in service.check()] == ["50"]  # 69% of the budget
    assert len(bus.events) == 1


def test_two_customers_a_partial_then_a_major_outage_each_threshold_fires_once_at_its_minute():
    from klaxon.domain.sla.report import sla_report

    t0 = datetime(2026, 9, 10, 12, tzinfo=UTC)
    partial = incident(
        1, {"api": ComponentStatus.PARTIAL_OUTAGE}, started=t0, resolved_after=timedelta(minutes=20)
    )
    major = incident(
        2,
        {"web": ComponentStatus.MAJOR_OUTAGE},
        started=t0 + timedelta(minutes=30),
        resolved_after=timedelta(minutes=30),
    )
    slos = {
        "storefront": Slo(id="storefront", components=frozenset({"web", "api"}), target=99.9),  # 43.2 min
        "api": Slo(id="api", components=frozenset({"api"}), target=99.5),  # 216 min
    }
    customers = [
        Customer(
            id="acme", name="Acme", components=frozenset({"web", "api"}), contracts=(Contract("storefront"),)
        ),
        Customer(id="globex", name="Globex", components=frozenset({"api"}), contracts=(Contract("api"),)),
    ]
    clock = FixedClock(t0)
    budgets = SlaService(
        snapshot=lambda: Snapshot(incidents=[i for i in (partial, major) if i.started_at <= clock.now()]),
        slos=lambda: slos,
        customers=lambda: customers,
        clock=clock,
    )
    claimed: set[str] = set()

    def claim(key: str) -> bool:
        first = key not in claimed
        claimed.add(key)
        return first

    bus = RecordingBus()
    alerts = SlaAlerts(
        budgets=budgets,
        policy=lambda: AlertPolicy(service="platform"),
        claim=claim,
        release=claimed.discard,
        bus=bus,
        clock=clock,
        ids=CountingIds(),
    )
    fired = {}
    for minute in range(0, 121):
        clock.at = t0 + timedelta(minutes=minute)
        for key in alerts.check():
            fired[key.split("#")[2]] = (minute, key.split("#")[0])
    # Acme: 10 weighted minutes from the partial outage (0.5 x 20), then the major one from minute 30:
    # it runs out within 30 minutes from minute 34 (29.2 left at a burn of 1), passes 50% (21.6 min) at
    # 41.6, 75% (32.4) at 52.4, 90% (38.88) at 58.88; 100% is never reached (40 of 43.2).
    assert fired == {"runs-out": (34, "acme"), "50": (42, "acme"), "75": (53, "acme"), "90": (59, "acme")}
    severities = [d.alert.severity for _, d in bus.events]
    assert severities == [Severity.CRITICAL, Severity.WARNING, Severity.WARNING, Severity.CRITICAL]
    assert bus.events[0][1].alert.summary == "Acme's 99.9% budget (storefront) runs out in 29 min"

    acme = {b.customer: b for b in budgets.budgets()}["acme"]
    assert acme.budget.consumed_minutes == 40.0
    report = sla_report(
        customers[0],
        slos,
        [partial, major],
        {},
        "Acme Status",
        acme.budget.window_start,
        acme.budget.window_end,
        clock.now(),
    )
    assert (
        report.contracts[0].consumed_minutes == acme.budget.consumed_minutes
    )  # the report and the API agree


def test_an_open_incidents_room_says_each_budget_it_burns_and_when_it_runs_out():
    open_major = incident(1, {"checkout": ComponentStatus.MAJOR_OUTAGE}, started=NOW - timedelta(minutes=13))
    other = Customer(
        id="other", name="Other", components=frozenset({"api"}), contracts=(Contract("storefront"),)
    )
    budgets = SlaService(
        snapshot=lambda: Snapshot(incidents=[open_major]),
        slos=lambda: {"storefront": SLO},
        customers=lambda: [ACME, other],
        clock=FixedClock(NOW),
    )
    (fact,) = budgets.incident_facts(open_major)  # Other's components are not on this incident
    said = "Acme's 99.9% storefront budget: 30.09% used, runs out at 12:30 UTC, in 30 min"
    assert (fact.label, fact.value) == ("SLA", said)
    resolved = open_major.model_copy(update={"resolved_at": NOW, "status": PublicStatus.RESOLVED})
    assert budgets.incident_facts(resolved) == [] and budgets.incident_facts(None) == []


def test_a_budget_about_to_run_out_is_said_in_the_rooms_burning_it_and_a_failed_post_is_not_fatal():
    from klaxon.domain.chat.rooms import ChatFailed

    service, bus, _ = alerts(minutes_down=0)
    assert bus.events == []
    service.budgets = SlaService(
        snapshot=lambda: Snapshot(
            incidents=[
                incident(1, {"checkout": ComponentStatus.MAJOR_OUTAGE}, started=NOW - timedelta(minutes=20))
            ]
        ),
        slos=lambda: {"storefront": SLO},
        customers=lambda: [ACME],
        clock=FixedClock(NOW),
    )
    posted: list[tuple[str, str]] = []

    def post(room: str, text: str) -> None:
        if room == "CBROKEN":
            raise ChatFailed("channel_not_found")
        posted.append((room, text))

    opened = incident(2, {"checkout": ComponentStatus.MAJOR_OUTAGE}, started=NOW - timedelta(minutes=5))
    elsewhere = incident(3, {"api": ComponentStatus.MAJOR_OUTAGE}, started=NOW - timedelta(minutes=5))
    snapshot = service.budgets.snapshot()
    assert snapshot is not None
    service.budgets.snapshot = lambda: snapshot.model_copy(
        update={"incidents": [*snapshot.incidents, opened, elsewhere]}
    )
    rooms = {
        "i0001": "CBROKEN",
        "i0002": "C123",
        "i0003": "CAPI",
    }  # i0001 and i0002 burn checkout, i0003 the API
    service.room_of = rooms.get
    service.post = post
    raised = service.check()
    assert any(key.split("#")[2] == "runs-out" for key in raised)
    assert posted == [("C123", "Acme's 99.9% budget (storefront) runs out in 23 min")]
    assert len(bus.events) == len(raised)

"""Maintenance windows on the status page: an announced window shows as scheduled maintenance; muted
incidents never appear."""

from __future__ import annotations

from datetime import timedelta

from klaxon.config.loader import load_config
from klaxon.domain.incident.models import IncidentStatus, Priority, Urgency
from klaxon.domain.noise.maintenance import MaintenanceWindow
from klaxon.events import DetailType, IncidentSnapshot
from klaxon.services.statuspage.public_incidents import StatusPageService
from tests.conftest import DEMO_CONFIG
from tests.fakes.memory import CountingIds, FixedClock, RecordingBus
from tests.fakes.statuspage import MemoryStatusIncidents

DEMO = load_config(DEMO_CONFIG).statuspage
NOW = FixedClock().now()
WINDOW = MaintenanceWindow(
    id="db",
    name="Database upgrade",
    services=("payments",),
    start=NOW + timedelta(days=1),
    end=NOW + timedelta(days=1, hours=2),
    announce=True,
)


def service(*windows: MaintenanceWindow) -> StatusPageService:
    return StatusPageService(
        store=MemoryStatusIncidents(),
        settings=lambda: DEMO,
        bus=RecordingBus(),
        clock=FixedClock(),
        ids=CountingIds(),
        windows=lambda now: windows,
    )


def test_an_announced_window_is_scheduled_maintenance_on_its_services_components() -> None:
    snapshot = service(WINDOW).snapshot()

    assert snapshot is not None
    (maintenance,) = [m for m in snapshot.maintenances if m.name == "Database upgrade"]
    assert (maintenance.components, maintenance.scheduled_for) == (["payments"], WINDOW.start)


def test_an_announced_window_was_created_when_it_was_stored_not_when_the_page_renders() -> None:
    stored = WINDOW.model_copy(update={"created_at": NOW - timedelta(hours=3)})
    page = service(stored)
    before = page.snapshot()
    assert isinstance(page.clock, FixedClock)
    page.clock.advance(hours=5)
    after = page.snapshot()

    assert before is not None and after is not None
    created = {m.created_at for s in (before, after) for m in s.maintenances if m.name == "Database upgrade"}
    assert created == {NOW - timedelta(hours=3)}


def test_a_declared_window_was_created_when_its_configuration_was_applied() -> None:
    from klaxon.domain.statuspage.introductions import maintenance_window_key

    applied = NOW - timedelta(days=2)
    page = service(WINDOW)
    page.introductions = lambda: {maintenance_window_key("db"): applied}
    snapshot = page.snapshot()

    assert snapshot is not None
    assert [m.created_at for m in snapshot.maintenances if m.name == "Database upgrade"] == [applied]


def test_a_window_not_announced_stays_internal() -> None:
    snapshot = service(WINDOW.model_copy(update={"announce": False})).snapshot()

    assert snapshot is not None
    assert [m for m in snapshot.maintenances if m.name == "Database upgrade"] == []


def test_a_muted_incident_never_reaches_the_status_page() -> None:
    muted = IncidentSnapshot(
        id="i1",
        number=1,
        title="t",
        service="payments",
        priority=Priority.P1,
        urgency=Urgency.LOW,
        status=IncidentStatus.TRIGGERED,
        dedup_key="k",
        alert_count=1,
        created_at=NOW,
        muted_urgency=Urgency.HIGH,
    )

    assert service().on_incident(DetailType.INCIDENT_TRIGGERED, muted) is None

"""Maintenance windows on the status page: an announced window shows as scheduled maintenance; muted
incidents never appear."""

from __future__ import annotations

from datetime import timedelta

from klaxon.config.loader import load_config
from klaxon.domain.maintenance import MaintenanceWindow
from klaxon.domain.models import IncidentStatus, Priority, Urgency
from klaxon.events import DetailType, IncidentSnapshot
from klaxon.services.statuspage import StatusPageService
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
        windows=lambda: windows,
    )


def test_an_announced_window_is_scheduled_maintenance_on_its_services_components() -> None:
    snapshot = service(WINDOW).snapshot()

    assert snapshot is not None
    (maintenance,) = [m for m in snapshot.maintenances if m.name == "Database upgrade"]
    assert (maintenance.components, maintenance.scheduled_for) == (["payments"], WINDOW.start)


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

"""Maintenance windows through the API: add, list, remove; reminders to the owner before a window ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from klaxon.domain.errors import Conflict, InvalidInput
from klaxon.domain.noise.maintenance import MaintenanceWindow
from klaxon.domain.paging.policy import Channel
from klaxon.events import DetailType, MaintenanceWindowChanged
from klaxon.services.noise.maintenance import Contact, MaintenanceService, NewWindow
from tests.fakes.memory import CountingIds, FixedClock, RecordingBus, RecordingNotifier
from tests.fakes.noise import MemoryWindows

CLOCK_START = FixedClock().now()
DECLARED = MaintenanceWindow(
    id="declared",
    name="Declared",
    services=("search",),
    start=CLOCK_START + timedelta(days=1),
    end=CLOCK_START + timedelta(days=1, hours=1),
)


@pytest.fixture
def service() -> MaintenanceService:
    return MaintenanceService(
        store=MemoryWindows(),
        declared=lambda: (DECLARED,),
        services=lambda: frozenset({"checkout", "search"}),
        people=lambda: {"frank": Contact(name="Frank", contacts={Channel.EMAIL: "frank@acme.example"})},
        notifier=RecordingNotifier(),
        clock=FixedClock(),
        ids=CountingIds(),
        bus=RecordingBus(),
    )


def request(minutes: int = 60, **changes: object) -> NewWindow:
    fields = {
        "name": "DB upgrade",
        "services": ["checkout"],
        "start": CLOCK_START - timedelta(minutes=1),
        "end": CLOCK_START + timedelta(minutes=minutes),
        "owner": "frank",
    }
    return NewWindow.model_validate(fields | changes)


def test_an_added_window_is_listed_as_active(service: MaintenanceService) -> None:
    added = service.add(request(), "user:alice")

    listed = {w.id: w for w in service.windows()}
    assert listed[added.id].active
    assert listed[added.id].created_by == "user:alice"


def test_declared_windows_are_listed_from_the_config(service: MaintenanceService) -> None:
    assert [w.source for w in service.windows() if w.id == "declared"] == ["config"]


def test_a_window_for_an_unknown_service_is_refused(service: MaintenanceService) -> None:
    with pytest.raises(InvalidInput, match="invalid maintenance window"):
        service.add(request(services=["nope"]), "user:alice")


def test_a_bad_rrule_is_refused(service: MaintenanceService) -> None:
    with pytest.raises(InvalidInput):
        service.add(request(rrule="FREQ=NEVER"), "user:alice")


def test_a_removed_window_is_gone(service: MaintenanceService) -> None:
    added = service.add(request(), "user:alice")

    service.remove(added.id)

    assert added.id not in {w.id for w in service.windows()}


def test_a_declared_window_cannot_be_removed_through_the_api(service: MaintenanceService) -> None:
    with pytest.raises(Conflict):
        service.remove("declared")


def test_the_owner_is_reminded_once_before_the_window_ends(service: MaintenanceService) -> None:
    service.add(request(minutes=10), "user:alice")

    service.tick()
    service.tick()

    notifier = service.notifier
    assert isinstance(notifier, RecordingNotifier)
    (page,) = notifier.sent
    assert (page.user, page.channel, page.address) == ("frank", Channel.EMAIL, "frank@acme.example")


def test_no_reminder_while_the_end_is_far(service: MaintenanceService) -> None:
    service.add(request(minutes=120), "user:alice")

    assert service.tick()["reminded"] == 0


def test_an_added_window_is_stored_with_the_time_it_was_created(service: MaintenanceService) -> None:
    added = service.add(request(announce=True), "user:alice")

    assert added.created_at == CLOCK_START
    assert service.get(added.id).created_at == CLOCK_START


def test_adding_and_removing_a_window_is_announced_on_the_bus(service: MaintenanceService) -> None:
    added = service.add(request(announce=True), "user:alice")
    service.remove(added.id)

    assert isinstance(service.bus, RecordingBus)
    assert service.bus.events == [
        (
            DetailType.MAINTENANCE_WINDOW_CHANGED,
            MaintenanceWindowChanged(window_id=added.id, change="added", announce=True),
        ),
        (
            DetailType.MAINTENANCE_WINDOW_CHANGED,
            MaintenanceWindowChanged(window_id=added.id, change="removed", announce=True),
        ),
    ]


def test_the_status_page_publisher_subscribes_to_window_changes() -> None:
    from klaxon.events import SUBSCRIPTIONS

    (publish,) = [s for s in SUBSCRIPTIONS if s.name == "publish-status-page"]
    assert publish.target == "statuspage_publish"
    assert "Maintenance Window Changed" in publish.pattern["detail-type"]


def test_the_timer_retires_stored_windows_that_ended_and_they_stay_listed(
    service: MaintenanceService,
) -> None:
    ended_one = service.add(request(minutes=5), "user:alice")
    going_on = service.add(request(minutes=600, name="Long migration"), "user:alice")
    assert isinstance(service.store, MemoryWindows) and isinstance(service.clock, FixedClock)
    service.clock.advance(minutes=10)

    done = service.tick()

    assert done["retired"] == 1
    assert [w.id for w in service.store.current(service.clock.now())] == [going_on.id]
    assert {w.id for w in service.windows()} >= {ended_one.id, going_on.id}

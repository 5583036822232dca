"""Acknowledge and resolve through the API: idempotent, refused when impossible, always on the timeline."""

from __future__ import annotations

import pytest

from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.incident.models import AlertAction, IncidentStatus
from klaxon.domain.paging.pages import (
    SEND_LEASE,
    SENDING,
    SETTLE_POLL_SECONDS,
    SETTLE_WAIT_SECONDS,
    Reservation,
)
from klaxon.events import DetailType
from klaxon.services.incident.incidents import IncidentService
from tests.fakes.memory import FixedClock, MemoryNotifications, page_to_alice, sent
from tests.unit.test_router_service import alert, world  # noqa: F401 - fixture


@pytest.fixture
def service(world):  # noqa: F811
    router, incidents, bus, clock = world
    return (
        IncidentService(incidents=incidents, timeline=incidents.timeline, clock=clock),
        router,
        bus,
    )


def test_acknowledge_records_who_and_when(service):
    svc, router, bus = service
    incident = router.route(alert()).incident
    acked = svc.acknowledge(incident.id, "user:alice")
    assert acked.status is IncidentStatus.ACKNOWLEDGED
    assert acked.acknowledged_by == "user:alice"
    assert acked.acknowledged_at == FixedClock().now()
    assert bus.types()[-1] is DetailType.INCIDENT_ACKNOWLEDGED
    assert [e.kind for e in svc.history(incident.id, None, 10).entries] == ["triggered", "acknowledged"]


def test_acknowledging_twice_changes_nothing_the_second_time(service):
    svc, router, bus = service
    incident = router.route(alert()).incident
    svc.acknowledge(incident.id, "user:alice")
    svc.acknowledge(incident.id, "user:bob")
    assert svc.get(incident.id).acknowledged_by == "user:alice"
    acks = [d for t, d in bus.events if t is DetailType.INCIDENT_ACKNOWLEDGED]
    assert [d.actor for d in acks] == ["user:alice"]  # the write's own event; a retry writes nothing


def test_acknowledging_a_resolved_incident_is_a_conflict(service):
    svc, router, _ = service
    incident = router.route(alert()).incident
    svc.resolve(incident.id, "user:alice")
    with pytest.raises(Conflict, match="resolved"):
        svc.acknowledge(incident.id, "user:alice")


def test_resolving_a_resolved_incident_is_a_no_op(service):
    svc, router, _ = service
    incident = router.route(alert()).incident
    router.route(alert(AlertAction.RESOLVE))
    assert svc.resolve(incident.id, "user:bob").resolved_by == "integration:pd"


def test_unknown_incident_is_not_found(service):
    svc, *_ = service
    with pytest.raises(NotFound):
        svc.get("nope")


def _settling(world):  # noqa: F811
    """An IncidentService over page records, whose waits are counted (and take no time)."""
    _, incidents, _, clock = world
    pages, waits = MemoryNotifications(incidents), []
    svc = IncidentService(
        incidents=incidents, timeline=incidents.timeline, clock=clock, pages=pages, sleep=waits.append
    )
    return svc, pages, waits


def test_an_acknowledgement_is_answered_once_a_page_in_flight_has_its_outcome(world):  # noqa: F811
    router, _, _, clock = world
    svc, pages, waits = _settling(world)
    incident = router.route(alert()).incident
    page = page_to_alice(incident)
    assert pages.reserve(0, page, "run-1", clock.now())
    waits_before_outcome = 3

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == waits_before_outcome:
            pages.record(0, page, sent(page, clock.now()))

    svc.sleep = sleep
    assert svc.acknowledge(incident.id, "user:alice").status is IncidentStatus.ACKNOWLEDGED
    assert waits == [SETTLE_POLL_SECONDS] * waits_before_outcome
    assert not pages.in_flight(incident.id, clock.now())


def test_an_acknowledgement_waits_for_no_crashed_send_and_no_longer_than_its_bound(world):  # noqa: F811
    router, _, _, clock = world
    svc, pages, waits = _settling(world)
    crashed, stuck = router.route(alert()).incident, router.route(alert(key="k2")).incident
    assert pages.reserve(0, page_to_alice(crashed), "run-1", clock.now() - SEND_LEASE)
    assert pages.reserve(0, page_to_alice(stuck), "run-2", clock.now())

    svc.acknowledge(crashed.id, "user:alice")
    assert waits == []  # its lease ran out: nobody is sending it
    svc.resolve(stuck.id, "user:alice")
    assert sum(waits) == pytest.approx(SETTLE_WAIT_SECONDS)


def test_only_a_change_from_triggered_waits_for_pages(world):  # noqa: F811
    router, _, _, clock = world
    svc, pages, waits = _settling(world)
    incident = router.route(alert()).incident
    svc.acknowledge(incident.id, "user:alice")
    pages.pages[f"0|{page_to_alice(incident).idempotency_key}"] = Reservation(
        status=SENDING, token="run-1", lease_until=clock.now() + SEND_LEASE
    )  # cannot be reserved once acknowledged; written as a stuck record would be
    svc.resolve(incident.id, "user:alice")
    assert waits == []

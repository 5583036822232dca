"""Acknowledge and resolve through the API: idempotent, refused when impossible, always on the timeline."""

from __future__ import annotations

import pytest

from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.incident.models import AlertAction, IncidentStatus
from klaxon.events import DetailType
from klaxon.services.incident.incidents import IncidentService
from tests.fakes.memory import FixedClock
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
    assert [e.kind for e in svc.history(incident.id)] == ["triggered", "acknowledged"]


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

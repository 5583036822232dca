"""Incidents become public incidents: opened at once with the template, moved on by people, resolved once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from klaxon.config.loader import load_config
from klaxon.config.statuspage import PriorityStatuses
from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.incident.models import IncidentStatus, Priority, Urgency
from klaxon.domain.statuspage.models import ComponentStatus, PublicStatus
from klaxon.domain.statuspage.templates import TemplateKind
from klaxon.events import DetailType, IncidentSnapshot
from klaxon.services.statuspage.public_incidents import StatusPageService
from klaxon.services.statuspage.template_preview import preview, public_id
from tests.conftest import DEMO_CONFIG
from tests.fakes.memory import CountingIds, FixedClock, RecordingBus
from tests.fakes.statuspage import MemoryStatusIncidents

TRIGGERED, ACKED, RESOLVED = (
    DetailType.INCIDENT_TRIGGERED,
    DetailType.INCIDENT_ACKNOWLEDGED,
    DetailType.INCIDENT_RESOLVED,
)
DEMO = load_config(DEMO_CONFIG).statuspage


def snap(n=1, service="checkout", priority=Priority.P1, *, drill=False, title="db-1 disk full"):
    clock = FixedClock()
    return IncidentSnapshot(
        id=f"inc{n}",
        number=n,
        title=title,
        service=service,
        priority=priority,
        urgency=Urgency.HIGH,
        status=IncidentStatus.TRIGGERED,
        dedup_key=f"k{n}",
        alert_count=1,
        created_at=clock.now() - timedelta(minutes=5),
        drill=drill,
    )


@pytest.fixture
def store():
    return MemoryStatusIncidents()


@pytest.fixture
def bus():
    return RecordingBus()


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def service(store, bus, clock):
    return StatusPageService(store=store, settings=lambda: DEMO, bus=bus, clock=clock, ids=CountingIds())


def test_a_p1_incident_opens_an_investigating_public_incident_with_the_template_text(service):
    public = service.on_incident(TRIGGERED, snap())
    assert (public.status, public.name) == (PublicStatus.INVESTIGATING, "Major outage of Checkout")
    assert public.updates[0].body == (
        "We are investigating problems with Checkout. We will post an update within 30 minutes."
    )


@pytest.mark.parametrize(
    ("priority", "status"),
    [
        (Priority.P1, ComponentStatus.MAJOR_OUTAGE),
        (Priority.P2, ComponentStatus.PARTIAL_OUTAGE),
        (Priority.P3, ComponentStatus.DEGRADED_PERFORMANCE),
    ],
)
def test_the_priority_sets_the_status_of_the_service_components(service, priority, status):
    assert service.on_incident(TRIGGERED, snap(priority=priority)).components == {"checkout": status}


def test_the_platform_service_moves_the_api_component(service):
    assert list(service.on_incident(TRIGGERED, snap(service="platform")).components) == ["api"]


def test_the_internal_title_never_reaches_the_page(service):
    public = service.on_incident(TRIGGERED, snap(title="db-1 disk full"))
    assert "db-1" not in public.model_dump_json()


def test_the_public_id_is_not_the_internal_one(service):
    assert service.on_incident(TRIGGERED, snap()).id == public_id("inc1") != "inc1"


@pytest.mark.parametrize(
    "incident",
    [snap(priority=Priority.P4), snap(drill=True), snap(service="nowhere")],
    ids=["P4", "drill", "service without component"],
)
def test_some_incidents_never_appear(service, store, incident):
    assert service.on_incident(TRIGGERED, incident) is None
    assert store.items == {}


def test_without_a_statuspage_section_nothing_appears(store, bus, clock):
    quiet = StatusPageService(store=store, settings=lambda: None, bus=bus, clock=clock, ids=CountingIds())
    assert quiet.on_incident(TRIGGERED, snap()) is None


def test_the_configured_priority_mapping_replaces_the_default(store, bus, clock):
    config = DEMO.model_copy(update={"priorities": PriorityStatuses(P1=ComponentStatus.PARTIAL_OUTAGE)})
    custom = StatusPageService(store=store, settings=lambda: config, bus=bus, clock=clock, ids=CountingIds())
    assert custom.on_incident(TRIGGERED, snap()).components == {"checkout": ComponentStatus.PARTIAL_OUTAGE}


def test_the_same_event_twice_opens_one_public_incident_with_one_update(service, store):
    service.on_incident(TRIGGERED, snap())
    service.on_incident(TRIGGERED, snap())
    assert [len(i.updates) for i in store.all()] == [1]


def test_an_acknowledgement_whose_trigger_was_lost_still_opens_it(service):
    assert service.on_incident(ACKED, snap()).status is PublicStatus.INVESTIGATING


def test_resolving_posts_resolved_with_the_template_and_restores_the_components(service, clock):
    service.on_incident(TRIGGERED, snap())
    clock.advance(minutes=20)
    resolved = service.on_incident(RESOLVED, snap())
    assert resolved.status is PublicStatus.RESOLVED
    assert resolved.updates[-1].body == (
        "This incident has been resolved: service is back to normal for Checkout. It lasted 25 min."
    )
    assert [(a.old_status, a.new_status) for a in resolved.updates[-1].affected_components] == [
        (ComponentStatus.MAJOR_OUTAGE, ComponentStatus.OPERATIONAL)
    ]


def test_resolving_twice_posts_resolved_once(service):
    service.on_incident(TRIGGERED, snap())
    service.on_incident(RESOLVED, snap())
    again = service.on_incident(RESOLVED, snap())
    assert [u.status for u in again.updates] == [PublicStatus.INVESTIGATING, PublicStatus.RESOLVED]


def test_a_resolution_arriving_before_its_trigger_leaves_a_resolved_incident(service):
    resolved = service.on_incident(RESOLVED, snap())
    assert [u.status for u in resolved.updates] == [PublicStatus.INVESTIGATING, PublicStatus.RESOLVED]


def test_a_late_trigger_does_not_reopen_a_resolved_incident(service):
    service.on_incident(RESOLVED, snap())
    assert service.on_incident(TRIGGERED, snap()).status is PublicStatus.RESOLVED


def test_resolving_one_of_two_incidents_leaves_the_component_in_the_other_ones_status(service):
    service.on_incident(TRIGGERED, snap(1, priority=Priority.P3))
    service.on_incident(TRIGGERED, snap(2))
    resolved = service.on_incident(RESOLVED, snap(2))
    assert resolved.updates[-1].affected_components[0].new_status is ComponentStatus.DEGRADED_PERFORMANCE


def test_identified_fills_the_template_with_the_estimated_time(service):
    service.on_incident(TRIGGERED, snap())
    updated = service.post_update("inc1", PublicStatus.IDENTIFIED, estimated_time="about 20 minutes")
    assert updated.updates[-1].body.endswith("Estimated time to resolution: about 20 minutes.")


def test_an_update_with_text_posts_that_text(service):
    service.on_incident(TRIGGERED, snap())
    updated = service.post_update("inc1", PublicStatus.MONITORING, "Deployed the fix; watching.")
    assert (updated.status, updated.updates[-1].body) == (
        PublicStatus.MONITORING,
        "Deployed the fix; watching.",
    )


def test_an_update_asks_for_the_page_to_be_published(service, bus):
    service.on_incident(TRIGGERED, snap())
    service.post_update("inc1", PublicStatus.IDENTIFIED)
    assert bus.types() == [DetailType.STATUS_PAGE_UPDATED]


def test_an_update_retries_when_someone_else_wrote_first(service, store):
    service.on_incident(TRIGGERED, snap())
    store.conflicts = 2
    assert service.post_update("inc1", PublicStatus.IDENTIFIED).status is PublicStatus.IDENTIFIED


def test_an_update_for_an_incident_not_on_the_page_is_a_conflict(service):
    with pytest.raises(Conflict, match="not on the status page"):
        service.post_update("inc9", PublicStatus.IDENTIFIED)


def test_an_update_after_resolution_is_a_conflict(service):
    service.on_incident(RESOLVED, snap())
    with pytest.raises(Conflict, match="already resolved"):
        service.post_update("inc1", PublicStatus.MONITORING)


def test_showing_an_incident_not_on_the_page_is_not_found(service):
    with pytest.raises(NotFound):
        service.get("inc9")


def test_preview_fills_every_template_for_an_example_incident(clock):
    texts = preview(DEMO, "payments", clock.now())
    assert set(texts) == set(TemplateKind)
    assert all("{" not in text for text in texts.values())
    assert texts[TemplateKind.TITLE] == "Major outage of Payments"


def test_every_public_update_goes_on_its_incidents_timeline_with_who_posted_it(store, bus, clock):
    from tests.fakes.memory import MemoryTimeline

    timeline = MemoryTimeline()
    service = StatusPageService(
        store=store, settings=lambda: DEMO, bus=bus, clock=clock, ids=CountingIds(), timeline=timeline
    )
    incident = snap()
    service.on_incident(TRIGGERED, incident)
    service.on_incident(TRIGGERED, incident)  # the same event again: one update, one entry
    service.post_update(incident.id, PublicStatus.IDENTIFIED, "Found it", actor="carol")
    entries = [(e.subject, e.kind, e.actor, e.message) for e in timeline.list(incident.id)]
    assert entries == [
        (
            incident.id,
            "status update",
            "system:statuspage",
            "Status page: investigating: We are investigating problems with Checkout. "
            "We will post an update within 30 minutes.",
        ),
        (incident.id, "status update", "carol", "Status page: identified: Found it"),
    ]

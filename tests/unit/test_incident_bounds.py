"""An incident record stays within its budget: what it cannot hold goes to the payload store, and back."""

from __future__ import annotations

import json

import pytest

from klaxon.domain.errors import NotFound
from klaxon.domain.incident.bounds import ITEM_BUDGET, bound, record_size, restored
from klaxon.domain.incident.models import Alert, AlertAction, AlertInstance, Image, Link, Severity
from klaxon.events import DetailType
from klaxon.services.incident.incidents import GONE, IncidentService
from klaxon.services.incident.router import RouterService
from tests.fakes.memory import (
    CountingIds,
    FixedClock,
    MemoryIncidents,
    MemoryPayloads,
    MemoryTimeline,
    RecordingBus,
)

LINKS = [Link(href=f"https://grafana.example/d/{n:05d}", text=f"panel {n}") for n in range(12_000)]


def big_alert(**extra: object) -> Alert:
    return Alert(
        id="a1",
        action=AlertAction.TRIGGER,
        dedup_key="k",
        service="checkout",
        integration="pd",
        source_kind="pagerduty",
        received_at=FixedClock().now(),
        summary="Checkout down",
        severity=Severity.CRITICAL,
        **extra,
    )


@pytest.fixture
def world():
    timeline = MemoryTimeline()
    bus, payloads, clock = RecordingBus(), MemoryPayloads(), FixedClock()
    incidents = MemoryIncidents(timeline, bus)
    router = RouterService(
        incidents=incidents, timeline=timeline, payloads=payloads, clock=clock, ids=CountingIds()
    )
    service = IncidentService(incidents=incidents, timeline=timeline, clock=clock, payloads=payloads)
    return router, service, incidents, bus, payloads


def test_a_small_incident_is_kept_whole():
    from klaxon.domain.incident.lifecycle import open_incident

    incident = open_incident(big_alert(links=LINKS[:3]), incident_id="i1", number=1, now=FixedClock().now())
    assert bound(incident).incident == incident
    assert (bound(incident).details, bound(incident).attachments) == (None, None)


def test_twelve_thousand_links_open_an_incident_within_budget_and_all_can_be_read(world):
    router, service, incidents, bus, _ = world
    opened = router.route(big_alert(links=LINKS, images=[Image(src=f"https://i/{n}") for n in range(500)]))
    stored = incidents.get(opened.incident.id)
    assert record_size(stored) <= ITEM_BUDGET
    assert (len(stored.links), len(stored.images)) == (50, 20)
    assert stored.attachments_ref is not None
    full = service.get_with_details(stored.id)
    assert (full.links, len(full.images), full.details_note) == (LINKS, 500, None)
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED]


def test_many_large_alert_instances_are_slimmed_on_the_record_and_kept_whole_in_the_store(world):
    router, service, incidents, *_ = world
    instances = [
        AlertInstance(fingerprint=f"{n:016x}", status="firing", annotations={"description": "x" * 200})
        for n in range(2_000)
    ]
    dumps = {f"dump{n}": "y" * 1000 for n in range(300)}  # 300 KB of labels: too many even so
    opened = router.route(big_alert(instances=instances, labels={"team": "pay", **dumps}))
    stored = incidents.get(opened.incident.id)
    assert record_size(stored) <= ITEM_BUDGET
    assert len(stored.alerts) == 2_000  # every fingerprint stays: a group resolves by them
    assert stored.alerts[instances[0].fingerprint].annotations == {}
    assert stored.labels == {"team": "pay"}
    full = service.get_with_details(stored.id)
    assert full.alerts[instances[0].fingerprint] == instances[0]
    assert full.labels == {"team": "pay", **dumps}


def test_details_and_attachments_no_longer_stored_read_as_such_not_as_an_error(world):
    router, service, _, _, payloads = world
    opened = router.route(big_alert(links=LINKS, custom_details={"dump": "z" * 70_000}))
    assert opened.incident.details_ref is not None
    payloads.blobs.clear()  # gone: deleted by hand
    shown = service.get_with_details(opened.incident.id)
    assert (shown.details, shown.details_note, len(shown.links)) == (None, GONE, 50)


def test_a_payload_store_failure_before_the_record_is_retried_and_pages_once(world):
    """Fault injection: S3 fails while the incident's attachments are parked; the bus redelivers."""
    router, service, incidents, bus, payloads = world
    alert = big_alert(links=LINKS)
    payloads.fail_puts = 1
    with pytest.raises(RuntimeError):
        router.route(alert)
    assert incidents.items == {}
    outcome = router.route(alert)  # the dedup claim was taken: it is waited for, then taken over
    assert outcome.result == "created"
    assert len(service.get_with_details(outcome.incident.id).links) == 12_000
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED]


def test_restored_ignores_fields_it_does_not_own():
    from klaxon.domain.incident.lifecycle import open_incident

    incident = open_incident(big_alert(), incident_id="i1", number=1, now=FixedClock().now())
    back = restored(incident, json.dumps({"links": [{"href": "h"}], "status": "resolved"}).encode())
    assert (back.links, back.status) == ([Link(href="h")], incident.status)


def test_memory_payloads_say_not_found_like_the_store():
    with pytest.raises(NotFound):
        MemoryPayloads().get("mem://nothing")

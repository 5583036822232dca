"""Routing alerts into incidents with PagerDuty's dedup semantics."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from klaxon.domain.incident.models import (
    Alert,
    AlertAction,
    AlertInstance,
    IncidentStatus,
    Priority,
    Severity,
    Urgency,
)
from klaxon.events import AlertReceived, DetailType
from klaxon.services.incident.router import RouterService
from tests.fakes.memory import (
    CountingIds,
    FixedClock,
    MemoryIncidents,
    MemoryPayloads,
    MemoryTimeline,
    RecordingBus,
)


def make_world() -> tuple[RouterService, MemoryIncidents, RecordingBus, FixedClock]:
    """A router on in-memory stores: the router, its incidents, the events it published, its clock."""
    timeline = MemoryTimeline()
    bus = RecordingBus()
    incidents = MemoryIncidents(timeline, bus)
    clock = FixedClock()
    ids = CountingIds()
    router = RouterService(
        incidents=incidents, timeline=timeline, payloads=MemoryPayloads(), clock=clock, ids=ids
    )
    return router, incidents, bus, clock


@pytest.fixture
def world():
    return make_world()


_alert_ids = iter(range(10**9))


def alert(
    action=AlertAction.TRIGGER, key="k1", service="checkout", severity=Severity.CRITICAL, **extra
) -> Alert:
    return Alert(
        id=f"alert{next(_alert_ids)}",
        action=action,
        dedup_key=key,
        service=service,
        integration="pd",
        source_kind="pagerduty",
        received_at=FixedClock().now(),
        summary="Disk full",
        severity=severity,
        **extra,
    )


def test_first_trigger_opens_a_triggered_incident(world):
    router, _, bus, _ = world
    outcome = router.route(alert())
    assert outcome.result == "created"
    assert outcome.incident.status is IncidentStatus.TRIGGERED
    assert outcome.incident.number == 1
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED]


def test_trigger_with_the_same_key_joins_the_open_incident(world):
    router, incidents, bus, _ = world
    first = router.route(alert()).incident
    second = router.route(alert())
    assert second.result == "added"
    assert second.incident.id == first.id
    assert incidents.get(first.id).alert_count == 2
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED, DetailType.INCIDENT_UPDATED]


def test_same_key_on_another_service_is_another_incident(world):
    router, *_ = world
    assert (
        router.route(alert(service="checkout")).incident.id
        != router.route(alert(service="payments")).incident.id
    )


def test_trigger_after_resolve_opens_a_new_incident(world):
    router, *_ = world
    first = router.route(alert()).incident
    router.route(alert(AlertAction.RESOLVE))
    second = router.route(alert())
    assert second.result == "created"
    assert second.incident.id != first.id
    assert second.incident.number == 2


def test_acknowledge_then_trigger_still_joins_the_acknowledged_incident(world):
    router, *_ = world
    first = router.route(alert()).incident
    assert router.route(alert(AlertAction.ACKNOWLEDGE)).result == "acknowledged"
    assert router.route(alert()).incident.id == first.id


@pytest.mark.parametrize("action", [AlertAction.ACKNOWLEDGE, AlertAction.RESOLVE])
def test_follow_up_for_an_unknown_key_is_dropped(world, action):
    router, _, bus, _ = world
    assert router.route(alert(action, key="never-seen")).result == "dropped"
    assert bus.events == []


@pytest.mark.parametrize(
    ("severity", "priority", "urgency"),
    [
        (Severity.CRITICAL, Priority.P1, Urgency.HIGH),
        (Severity.ERROR, Priority.P2, Urgency.HIGH),
        (Severity.WARNING, Priority.P3, Urgency.LOW),
        (Severity.INFO, Priority.P4, Urgency.LOW),
    ],
)
def test_severity_sets_priority_and_urgency(world, severity, priority, urgency):
    router, *_ = world
    incident = router.route(alert(severity=severity)).incident
    assert (incident.priority, incident.urgency) == (priority, urgency)


def test_a_new_incident_costs_at_most_four_writes_and_a_duplicate_one(world):
    router, incidents, *_ = world
    router.route(alert())
    assert incidents.writes <= 4
    before = incidents.writes
    router.route(alert())
    assert incidents.writes - before == 1


def test_the_same_alert_delivered_twice_is_counted_once(world):
    router, incidents, *_ = world
    first = router.route(alert()).incident
    again = alert()
    router.route(again)
    router.route(again)
    assert incidents.get(first.id).alert_count == 2


def test_a_redelivered_creating_alert_is_not_counted_and_publishes_nothing_more(world):
    router, incidents, bus, _ = world
    creating = alert()
    first = router.route(creating).incident
    outcome = router.route(creating)
    assert (outcome.result, incidents.get(first.id).alert_count) == ("created", 1)
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED]  # the write's event; the redelivery writes nothing


def test_a_redelivery_after_other_alerts_is_counted_once(world):
    router, incidents, _, _ = world
    first, second, third = alert(), alert(), alert()
    incident = router.route(first).incident
    router.route(second)
    router.route(third)
    assert router.route(second).result == "added"  # A, B, C, B
    assert router.route(first).result == "created"  # ... A: the opener, announced again
    assert incidents.get(incident.id).alert_count == 3


def test_an_opener_redelivered_after_its_router_died_and_others_joined_changes_nothing(world):
    """Fault injection: the router dies right after writing the opening alert's incident, B joins, then
    A comes again (the retry). The trigger left with the write; nothing is counted or published twice."""
    router, incidents, bus, _ = world
    opener, joiner = alert(), alert()
    real = incidents.create

    def write_then_die(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the router died after its write")

    incidents.create = write_then_die
    with pytest.raises(RuntimeError):
        router.route(opener)
    incidents.create = real
    router.route(joiner)
    outcome = router.route(opener)
    assert (outcome.result, incidents.get(outcome.incident.id).alert_count) == ("created", 2)
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED, DetailType.INCIDENT_UPDATED]


def test_a_redelivery_after_its_incident_resolved_opens_nothing(world):
    router, incidents, bus, clock = world
    opener = alert()
    first = router.route(opener).incident
    router.route(alert(AlertAction.RESOLVE))
    clock.advance(hours=23)
    outcome = router.route(opener)
    assert (outcome.result, outcome.incident.id) == ("unchanged", first.id)
    assert [i.number for i in incidents.items.values()] == [1]
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED, DetailType.INCIDENT_RESOLVED]


def test_a_redelivery_is_found_on_an_older_incident_of_the_key(world):
    router, incidents, *_ = world
    opener = alert()
    router.route(opener)
    router.route(alert(AlertAction.RESOLVE))
    newer = router.route(alert()).incident
    router.route(alert(AlertAction.RESOLVE))
    assert router.route(opener).result == "unchanged"
    assert [i.number for i in incidents.items.values()] == [1, 2]
    assert incidents.get(newer.id).alert_count == 1


def test_the_guard_remembers_at_least_the_last_thousand_alerts_and_stays_bounded(world):
    router, incidents, *_ = world
    sent = [alert() for _ in range(2500)]
    incident = router.route(sent[0]).incident
    for each in sent[1:]:
        router.route(each)
    for each in sent[-1000:]:
        router.route(each)
    held = incidents.get(incident.id)
    assert held.alert_count == 2500
    assert 1000 <= len(held.recent_alert_ids) <= 2000


def test_alertmanager_instances_are_recorded_by_fingerprint(world):
    router, incidents, *_ = world
    firing = AlertInstance(fingerprint="fp1", status="firing")
    created = router.route(alert(instances=[firing])).incident
    resolved = AlertInstance(fingerprint="fp1", status="resolved")
    router.route(alert(AlertAction.RESOLVE, instances=[resolved]))
    incident = incidents.get(created.id)
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.alerts["fp1"].status == "resolved"


def test_large_alerts_travel_by_reference(world):
    router, *_ = world
    big = alert()
    router.payloads.put("big.json", big.model_dump_json().encode())
    outcome = router.handle(AlertReceived(payload_ref="mem://big.json"))
    assert outcome.result == "created"


def test_a_claim_whose_writer_died_is_taken_over_after_the_timeout(world):
    router, incidents, _, clock = world
    incidents.claim_dedup_key("checkout", "k1", "ghost", clock.now(), replaces=None)
    clock.advance(seconds=61)
    outcome = router.route(alert())
    assert outcome.result == "created"
    assert outcome.incident.id != "ghost"


def test_concurrent_triggers_for_one_key_open_exactly_one_incident_with_no_number_gaps(world):
    router, incidents, *_ = world
    barrier = threading.Barrier(8)
    results = []

    def send(i: int) -> None:
        barrier.wait()
        for _ in range(25):
            results.append(router.route(alert(key=f"k{i % 2}")).result)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(i.number for i in incidents.items.values()) == [1, 2]
    assert results.count("created") == 2
    assert sum(i.alert_count for i in incidents.items.values()) == 200


def test_change_events_go_on_the_service_timeline(world):
    from klaxon.domain.incident.models import ChangeEvent

    router, incidents, *_ = world
    change = ChangeEvent(
        id="c1", service="checkout", integration="pd", summary="deployed v1.2", received_at=FixedClock().now()
    )
    router.record_change(change)
    assert [e.message for e in incidents.timeline.list("service:checkout")] == ["deployed v1.2"]
    assert incidents.items == {}


def test_claim_timeout_is_longer_than_a_router_invocation():
    from klaxon.services.incident.router import CLAIM_TIMEOUT
    from klaxon.topology import FUNCTIONS

    assert timedelta(seconds=FUNCTIONS["router"].timeout_s) < CLAIM_TIMEOUT


def test_a_repeated_resolve_changes_nothing_and_publishes_nothing_more(world):
    router, _, bus, _ = world
    router.route(alert())
    router.route(alert(AlertAction.RESOLVE))
    outcome = router.route(alert(AlertAction.RESOLVE))
    assert outcome.result == "unchanged"
    resolved = [d for t, d in bus.events if t is DetailType.INCIDENT_RESOLVED]
    assert [d.actor for d in resolved] == ["integration:pd"]

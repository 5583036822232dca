"""The DynamoDB incident repository under moto: conditional writes, write counts, listing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import (
    Alert,
    AlertAction,
    AlertInstance,
    IncidentStatus,
    Severity,
    TimelineEntry,
)
from klaxon.events import DetailType, IncidentEvent
from klaxon.ports import IncidentQuery

ADDED = IncidentEvent(DetailType.INCIDENT_UPDATED, "t", "test")


@pytest.fixture
def repo(platform):
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository

    return DynamoIncidentRepository()


@pytest.fixture
def router(platform):
    from klaxon import wiring

    return wiring.container().router_service


@pytest.fixture
def writes(platform):
    from klaxon.local.emulation import METER

    METER.reset()
    return METER


def make_alert(
    n: int, key: str = "disk", action: AlertAction = AlertAction.TRIGGER, **extra: object
) -> Alert:
    return Alert(
        id=f"a{n}",
        action=action,
        dedup_key=key,
        service="checkout",
        integration="checkout-events",
        source_kind="pagerduty",
        received_at=datetime.now(UTC),
        summary="Disk full",
        # Low urgency: nothing escalates, so the only DynamoDB writes counted are the router's.
        severity=Severity.WARNING,
        **extra,
    )


def test_new_incident_costs_four_writes_and_a_duplicate_one(router, writes):
    router.route(make_alert(1))
    assert writes.writes_here() == 4
    router.route(make_alert(2))
    assert writes.writes_here() == 5


def test_a_batch_of_one_keys_alerts_is_one_write_after_the_incident(router, repo, writes):
    from klaxon.services.incident.alert_batch import route_batch

    fp = [AlertInstance(fingerprint=f"fp{n % 2}", status="firing", labels={"n": str(n)}) for n in range(5)]
    results = route_batch(router, [make_alert(n, instances=[fp[n]]) for n in range(5)])
    assert [r.result for r in results] == ["created", "added", "added", "added", "added"]
    assert writes.writes_here() == 4 + 1
    incident = repo.get(results[0].incident.id)
    assert (incident.alert_count, incident.last_alert_id) == (5, "a4")
    assert {f: i.labels["n"] for f, i in incident.alerts.items()} == {"fp0": "4", "fp1": "3"}  # the latest
    with pytest.raises(Conflict):  # any alert it already holds refuses the whole write
        repo.add_alerts(
            incident.id, [make_alert(9), make_alert(2)], datetime.now(UTC), known_count=5, event=ADDED
        )
    assert repo.get(incident.id).alert_count == 5


def test_a_second_claim_of_the_same_key_conflicts(repo):
    now = datetime.now(UTC)
    repo.claim_dedup_key("checkout", "k", "i1", now, replaces=None)
    with pytest.raises(Conflict):
        repo.claim_dedup_key("checkout", "k", "i2", now, replaces=None)
    repo.claim_dedup_key("checkout", "k", "i2", now, replaces="i1")
    assert repo.latest_for_dedup_key("checkout", "k").incident_id == "i2"


def test_alerts_cannot_be_added_to_a_resolved_incident(router, repo):
    incident = router.route(make_alert(1)).incident
    router.route(make_alert(2, action=AlertAction.RESOLVE))
    with pytest.raises(Conflict):
        repo.add_alerts(incident.id, [make_alert(3)], datetime.now(UTC), known_count=1, event=ADDED)


def test_the_status_read_asks_for_the_status_alone(router, repo):
    """The escalation's last look before each retried provider call: a group's item holds every alert,
    and only its status is wanted there."""
    from klaxon.adapters.tables import connection

    asked: list[dict[str, object]] = []
    events = connection().client.meta.events

    def status_of(incident_id: str) -> IncidentStatus | None:
        def ask(params: dict[str, object], **_: object) -> None:
            asked.append(params)

        events.register("provide-client-params.dynamodb.GetItem", ask)
        try:
            return repo.status(incident_id)
        finally:
            events.unregister("provide-client-params.dynamodb.GetItem", ask)

    incident = router.route(make_alert(1)).incident
    assert status_of(incident.id) is IncidentStatus.TRIGGERED
    router.route(make_alert(2, action=AlertAction.RESOLVE))
    assert status_of(incident.id) is IncidentStatus.RESOLVED
    assert status_of("no-such-incident") is None
    assert [(p["Key"], p["ConsistentRead"], p["ProjectionExpression"]) for p in asked] == [
        ({"id": {"S": incident.id}}, True, "#0"),
        ({"id": {"S": incident.id}}, True, "#0"),
        ({"id": {"S": "no-such-incident"}}, True, "#0"),
    ]
    assert all(p["ExpressionAttributeNames"] == {"#0": "status"} for p in asked)


def test_alert_instances_are_kept_by_fingerprint(router, repo):
    first = AlertInstance(fingerprint="fp1", status="firing", labels={"instance": "web-1"})
    incident = router.route(make_alert(1, instances=[first])).incident
    second = AlertInstance(fingerprint="fp2", status="firing")
    router.route(make_alert(2, instances=[second]))
    assert set(repo.get(incident.id).alerts) == {"fp1", "fp2"}
    assert repo.get(incident.id).alerts["fp1"].labels == {"instance": "web-1"}


def test_transition_is_conditional_on_the_current_status(router, repo):
    incident = router.route(make_alert(1)).incident
    now = datetime.now(UTC)
    entry = TimelineEntry(subject=incident.id, at=now, kind="resolved", actor="t", message="m")
    resolved = IncidentEvent(DetailType.INCIDENT_RESOLVED, "t", "test")
    repo.transition(incident.id, IncidentStatus.RESOLVED, actor="t", now=now, entry=entry, event=resolved)
    acked = IncidentEvent(DetailType.INCIDENT_ACKNOWLEDGED, "t", "test")
    with pytest.raises(Conflict):
        repo.transition(
            incident.id, IncidentStatus.ACKNOWLEDGED, actor="t", now=now, entry=entry, event=acked
        )


def test_concurrent_triggers_under_moto_open_one_incident(router, repo):
    barrier = threading.Barrier(6)

    def send(i: int) -> None:
        barrier.wait()
        for j in range(5):
            router.route(make_alert(i * 100 + j, key="storm"))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    page = repo.query(IncidentQuery(dedup_key="storm"))
    assert len(page.incidents) == 1
    assert page.incidents[0].alert_count == 30
    assert page.incidents[0].number == 1


def test_listing_is_newest_first_filtered_and_paginated(router, repo):
    for n in range(7):
        router.route(make_alert(n, key=f"k{n}"))
    router.route(make_alert(99, key="k0", action=AlertAction.RESOLVE))
    first = repo.query(IncidentQuery(limit=3))
    assert [i.dedup_key for i in first.incidents] == ["k6", "k5", "k4"]
    second = repo.query(IncidentQuery(limit=3, cursor=first.next))
    assert [i.dedup_key for i in second.incidents] == ["k3", "k2", "k1"]
    third = repo.query(IncidentQuery(limit=3, cursor=second.next))
    assert [i.dedup_key for i in third.incidents] == ["k0"]
    assert third.next is None
    exact = repo.query(IncidentQuery(limit=7))
    assert len(exact.incidents) == 7
    assert exact.next is None  # a full last page does not lead to an empty one
    resolved = repo.query(IncidentQuery(status=IncidentStatus.RESOLVED))
    assert [i.dedup_key for i in resolved.incidents] == ["k0"]
    open_checkout = repo.query(IncidentQuery(service="checkout", status=IncidentStatus.TRIGGERED, limit=100))
    assert len(open_checkout.incidents) == 6


def test_claims_record_when_they_were_made(repo):
    now = datetime.now(UTC).replace(microsecond=0)
    repo.claim_dedup_key("checkout", "t", "i1", now, replaces=None)
    assert abs(repo.latest_for_dedup_key("checkout", "t").claimed_at - now) < timedelta(seconds=1)


def test_an_incident_is_found_by_its_number_and_by_an_id_prefix(router, repo):
    opened = [router.route(make_alert(n, key=f"ref{n}")).incident for n in range(4)]
    third = opened[2]
    assert [i.id for i in repo.query(IncidentQuery(number=third.number)).incidents] == [third.id]
    assert repo.query(IncidentQuery(number=999)).incidents == []
    assert repo.query(IncidentQuery(number=third.number, status=IncidentStatus.RESOLVED)).incidents == []
    assert [i.id for i in repo.query(IncidentQuery(id_prefix=third.id[:12])).incidents] == [third.id]
    shared = opened[0].id[0]  # one character: this one at least, maybe others
    expected = sorted(i.id for i in opened if i.id.startswith(shared))
    assert sorted(i.id for i in repo.query(IncidentQuery(id_prefix=shared)).incidents) == expected


def test_a_redelivery_after_other_alerts_costs_no_write_and_counts_nothing(router, repo, writes):
    incident = router.route(make_alert(1)).incident
    router.route(make_alert(2))
    router.route(make_alert(3))
    before = writes.writes_here()
    assert router.route(make_alert(2)).result == "added"  # A, B, C, B: refused by its condition
    assert writes.writes_here() - before == 1  # the one conditional UpdateItem, which wrote nothing
    assert repo.get(incident.id).alert_count == 3


def test_a_redelivery_after_its_incident_resolved_opens_nothing(router, repo, writes):
    incident = router.route(make_alert(1)).incident
    router.route(make_alert(2, action=AlertAction.RESOLVE))
    before = writes.writes_here()
    assert router.route(make_alert(1)).result == "unchanged"
    assert writes.writes_here() == before
    assert [i.id for i in repo.query(IncidentQuery(dedup_key="disk")).incidents] == [incident.id]


def test_the_guard_keeps_two_generations_of_alert_ids(router, repo, monkeypatch):
    from functools import partial

    from klaxon.adapters import dynamodb_incidents
    from klaxon.domain.incident.dedup import memory_slot

    monkeypatch.setattr(dynamodb_incidents, "memory_slot", partial(memory_slot, per_generation=3))
    incident = router.route(make_alert(0)).incident
    for n in range(1, 10):
        router.route(make_alert(n))
    held = repo.get(incident.id)
    assert held.alert_count == 10
    assert held.recent_alert_ids == {"a6", "a7", "a8", "a9"}  # generation 2 (a6-a8) and 3 (a9) so far
    assert router.route(make_alert(7)).result == "added"
    assert repo.get(incident.id).alert_count == 10


def test_an_incident_keeps_the_runbook_it_opened_with(router, repo):
    """The demo configuration: checkout's default runbook, and an entry for its latency alerts."""
    plain = router.route(make_alert(1)).incident
    stored = repo.get(plain.id).runbook
    assert stored is not None and stored == plain.runbook
    assert (stored.source, stored.url) == (
        "service",
        "https://github.com/acme/runbooks/blob/main/docs/checkout.md",
    )
    slow_alert = make_alert(2, key="slow").model_copy(update={"summary": "Checkout latency p99 above 2 s"})
    slow = router.route(slow_alert).incident
    assert repo.get(slow.id).runbook.id == "checkout-latency"

"""Replayed and stale webhooks: signed timestamps expire, deliveries are remembered, old resolves are ignored.

The attack (issue: security §1): a captured, correctly signed resolve for incident A, sent again once
incident B has opened on the same key, must leave B triggered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from klaxon.domain.incident.lifecycle import STALE_SKEW, is_stale
from klaxon.domain.incident.models import AlertAction, IncidentStatus
from klaxon.domain.intake.deliveries import DELIVERY_MEMORY, delivery_ids
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.sources import generic
from klaxon.domain.intake.sources.signatures import BadSignature, require_fresh
from klaxon.services.incident.router import RouteResult
from klaxon.services.intake.ingest import IngestService
from tests.fakes.memory import (
    CountingIds,
    FixedClock,
    MemoryDeliveryLog,
    MemoryDirectory,
    MemoryPayloads,
    MemorySigningSecrets,
    RecordingBus,
)
from tests.fakes.sources import encode, hmac_hex, load, sentry_headers
from tests.unit.test_router_service import alert, world  # noqa: F401 - fixture

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SECRET = "generic-signing-secret-0001"
SENTRY_SECRET = "sentry-client-secret-0001"


# --- signed timestamps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "fresh"),
    [
        (timedelta(0), True),
        (timedelta(minutes=4, seconds=59), True),
        (timedelta(minutes=5, seconds=1), False),
        (-timedelta(seconds=59), True),
        (-timedelta(seconds=61), False),
    ],
)
def test_a_signed_timestamp_lives_five_minutes_and_may_run_a_minute_ahead(age, fresh):
    stamp = str(int((NOW - age).timestamp()))
    if fresh:
        require_fresh(stamp, NOW, "X-Test-Timestamp")
    else:
        with pytest.raises(BadSignature, match="X-Test-Timestamp"):
            require_fresh(stamp, NOW, "X-Test-Timestamp")


def _v0(body: bytes, at: datetime, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(at.timestamp()))
    signature = hmac_hex(secret, b"v0:" + stamp.encode() + b":" + body)
    return {"x-klaxon-signature": f"v0={signature}", "x-klaxon-request-timestamp": stamp}


def test_the_generic_v0_signature_covers_its_timestamp_and_expires():
    ref = IntegrationRef(id="g", kind="generic", service="checkout", secrets=(SECRET,))
    body = b'{"status": "resolved"}'
    generic.verify(body, _v0(body, NOW), ref, NOW)
    with pytest.raises(BadSignature, match="old"):
        generic.verify(body, _v0(body, NOW - timedelta(minutes=6)), ref, NOW)
    moved = {**_v0(body, NOW - timedelta(minutes=6)), "x-klaxon-request-timestamp": str(int(NOW.timestamp()))}
    with pytest.raises(BadSignature, match="does not match"):  # a fresh stamp on an old signature
        generic.verify(body, moved, ref, NOW)
    with pytest.raises(BadSignature, match="needs its X-Klaxon-Request-Timestamp"):
        generic.verify(body, {"x-klaxon-signature": "v0=00"}, ref, NOW)


# --- which deliveries are remembered ----------------------------------------------------------------


def test_deliveries_are_told_apart_only_where_a_repeat_cannot_be_news():
    body, headers = b"{}", {"request-id": "r-1", "x-klaxon-request-timestamp": "1795742431"}
    assert len(delivery_ids("sentry", "s", body, headers)) == 2  # the body, and Sentry's Request-ID
    assert len(delivery_ids("alertmanager", "am", body, {})) == 1
    assert len(delivery_ids("generic", "g", body, headers)) == 1  # signed with a timestamp
    assert delivery_ids("generic", "g", body, {}) == ()  # the same resolve body serves every incident
    assert delivery_ids("datadog", "d", body, {}) == ()
    assert delivery_ids("sentry", "s", body, headers) != delivery_ids("sentry", "other", body, headers)


def test_the_memory_forgets_after_a_day():
    log = MemoryDeliveryLog()
    assert log.first(["a"], NOW)
    assert not log.first(["a"], NOW + DELIVERY_MEMORY - timedelta(seconds=1))
    assert log.first(["a"], NOW + DELIVERY_MEMORY)
    assert not log.first(["b", "a"], NOW + DELIVERY_MEMORY)  # one known id makes a repeat


# --- the stale-resolve rule ---------------------------------------------------------------------------


def test_an_event_from_before_the_incident_began_is_stale(world):  # noqa: F811
    router, *_ = world
    incident = router.route(alert(timestamp=NOW)).incident
    assert is_stale(alert(AlertAction.RESOLVE, timestamp=NOW - STALE_SKEW - timedelta(seconds=1)), incident)
    assert not is_stale(alert(AlertAction.RESOLVE, timestamp=NOW - STALE_SKEW), incident)  # clocks differ
    assert not is_stale(alert(AlertAction.RESOLVE), incident)  # an event with no time of its own
    untimed = router.route(alert(key="k2")).incident  # opened by an alert that gave no time
    assert is_stale(
        alert(AlertAction.RESOLVE, key="k2", timestamp=untimed.created_at - timedelta(hours=1)), untimed
    )


def test_a_stale_resolve_leaves_the_incident_triggered_and_says_so_on_its_timeline(world):  # noqa: F811
    router, incidents, bus, _ = world
    first = router.route(alert(timestamp=NOW - timedelta(hours=2))).incident
    router.route(alert(AlertAction.RESOLVE, timestamp=NOW - timedelta(hours=1)))  # resolves A
    second = router.route(alert(timestamp=NOW)).incident  # B, on the same key
    assert second.id != first.id
    before = len(bus.events)
    replay = router.route(alert(AlertAction.RESOLVE, timestamp=NOW - timedelta(hours=1)))
    assert replay.result is RouteResult.STALE
    assert incidents.get(second.id).status is IncidentStatus.TRIGGERED
    assert len(bus.events) == before  # no event: nothing changed
    (ignored,) = [e for e in incidents.timeline.list(second.id) if e.kind == "ignored"]
    assert ignored.message.startswith("Ignored: stale resolve from pagerduty")
    assert router.route(alert(AlertAction.RESOLVE, timestamp=NOW)).result is RouteResult.RESOLVED


# --- ingest answers a repeated delivery 200 and does nothing --------------------------------------------


def _ingest() -> IngestService:
    sentry = IntegrationRef(id="sentry", kind="sentry", service="checkout", signed=True)
    clock = FixedClock(NOW)
    signing = MemorySigningSecrets(clock)
    signing.replace({"sentry": SENTRY_SECRET})
    return IngestService(
        directory=MemoryDirectory(integrations={"sentry": sentry}),
        bus=RecordingBus(),
        payloads=MemoryPayloads(),
        clock=clock,
        ids=CountingIds(),
        deliveries=MemoryDeliveryLog(),
        signing=signing,
    )


def _sentry(ingest: IngestService, body: dict[str, Any], resource: str, request_id: str = "r-1") -> Any:
    raw = encode(body)
    headers = {k.lower(): v for k, v in sentry_headers(raw, SENTRY_SECRET, resource).items()}
    headers["request-id"] = request_id
    return ingest.enqueue_integration("sentry", "sentry", raw, headers)


def test_a_repeated_resolve_delivery_is_answered_and_changes_nothing():
    ingest = _ingest()
    resolved = load("sentry-issue-resolved")
    assert not _sentry(ingest, resolved, "issue").repeat
    again = _sentry(ingest, resolved, "issue")
    assert again.repeat and again.alert is None
    assert _sentry(ingest, resolved, "issue", request_id="r-2").repeat  # the same body, a new Request-ID
    assert len(ingest.bus.events) == 1  # type: ignore[attr-defined]


def test_a_repeated_trigger_is_not_remembered():
    ingest = _ingest()
    firing = load("sentry-issue-alert")
    assert not _sentry(ingest, firing, "event_alert").repeat
    assert not _sentry(ingest, firing, "event_alert").repeat
    assert len(ingest.bus.events) == 2  # type: ignore[attr-defined]


def test_a_sentry_resolve_is_dated_by_the_issues_last_event_in_the_signed_body():
    ingest = _ingest()
    accepted = _sentry(ingest, load("sentry-issue-resolved"), "issue")
    assert accepted.alert.timestamp == datetime(2026, 11, 27, 1, 38, 2, 117000, tzinfo=UTC)

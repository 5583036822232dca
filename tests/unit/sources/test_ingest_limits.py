"""Ingest's rate limit per integration: counted once the key (and any signature) is good, before parsing."""

from __future__ import annotations

import json

import pytest

from klaxon.domain.access.rate_limits import Limits
from klaxon.domain.errors import InvalidInput, TooManyRequests, Unauthorized
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.sources.signatures import BadSignature
from klaxon.services.access.rate_limits import RateLimiter
from klaxon.services.intake.ingest import IngestService
from tests.fakes.memory import (
    CountingIds,
    FixedClock,
    MemoryDirectory,
    MemoryPayloads,
    MemoryRateCounter,
    RecordingBus,
)
from tests.fakes.sources import encode, load, sentry_headers

LIMIT = 3
EVENTS = IntegrationRef(id="checkout-events", kind="pagerduty", service="checkout")
OTHER = IntegrationRef(id="payments-events", kind="pagerduty", service="payments")
SENTRY = IntegrationRef(id="sentry", kind="sentry", service="checkout", secret="sentry-client-secret-0001")


def ingest() -> IngestService:
    clock = FixedClock()
    return IngestService(
        directory=MemoryDirectory(integrations={i.id: i for i in (EVENTS, OTHER, SENTRY)}),
        bus=RecordingBus(),
        payloads=MemoryPayloads(),
        clock=clock,
        ids=CountingIds(),
        limiter=RateLimiter(
            counter=MemoryRateCounter(), clock=clock, limits=lambda: Limits(integration=LIMIT)
        ),
    )


def counter(service: IngestService) -> MemoryRateCounter:
    assert service.limiter is not None
    found = service.limiter.counter
    assert isinstance(found, MemoryRateCounter)
    return found


def trigger(key: str, summary: str = "Checkout is down") -> bytes:
    body = {
        "routing_key": key,
        "event_action": "trigger",
        "payload": {"summary": summary, "source": "web", "severity": "critical"},
    }
    return json.dumps(body).encode()


def test_a_key_over_its_limit_is_refused_before_its_event_is_read_or_published() -> None:
    service = ingest()
    for _ in range(LIMIT):
        service.enqueue_pagerduty(trigger(EVENTS.id))

    with pytest.raises(TooManyRequests) as refused:
        service.enqueue_pagerduty(b'{"routing_key": "checkout-events", "event_action": "nonsense"}')

    assert refused.value.retry_after == 60  # the fixed clock is on a whole minute
    assert len(service.bus.events) == LIMIT  # type: ignore[attr-defined]


def test_another_key_keeps_its_own_budget() -> None:
    service = ingest()
    for _ in range(LIMIT):
        service.enqueue_pagerduty(trigger(EVENTS.id))

    service.enqueue_pagerduty(trigger(OTHER.id, "Card declines"))

    assert [d.alert.service for _, d in service.bus.events] == ["checkout"] * LIMIT + ["payments"]  # type: ignore[attr-defined]


def test_change_events_share_the_key_s_budget() -> None:
    service = ingest()
    for _ in range(LIMIT):
        service.enqueue_change(
            json.dumps({"routing_key": EVENTS.id, "payload": {"summary": "deploy"}}).encode()
        )

    with pytest.raises(TooManyRequests):
        service.enqueue_pagerduty(trigger(EVENTS.id))


def test_unknown_keys_and_bad_signatures_spend_no_budget() -> None:
    service = ingest()
    with pytest.raises(InvalidInput):
        service.enqueue_pagerduty(trigger("no-such-key"))
    with pytest.raises(Unauthorized):
        service.enqueue_integration("sentry", "no-such-key", b"{}", {})
    with pytest.raises(BadSignature):
        service.enqueue_integration("sentry", SENTRY.id, b"{}", {"sentry-hook-signature": "00"})

    assert counter(service).writes == 0


def test_a_signed_webhook_is_counted_once_its_signature_is_good() -> None:
    service = ingest()
    raw = encode(load("sentry-issue-alert"))
    headers = {k.lower(): v for k, v in sentry_headers(raw, SENTRY.secret or "", "event_alert").items()}
    for _ in range(LIMIT):
        service.enqueue_integration("sentry", SENTRY.id, raw, headers)

    with pytest.raises(TooManyRequests):
        service.enqueue_integration("sentry", SENTRY.id, raw, headers)
    assert counter(service).writes == LIMIT + 1

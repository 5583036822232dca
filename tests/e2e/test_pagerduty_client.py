"""The official PagerDuty client (`pagerduty` 7.x) drives incidents through Klaxon's Events API v2."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import pagerduty
import pytest

from tests.e2e.support import CHECKOUT_KEY, Platform, unique

pytestmark = pytest.mark.e2e

CHECKOUT_INTEGRATION = "integration:checkout-events"


class LocalEventsClient(pagerduty.EventsApiV2Client):
    """The real client, allowed to talk plain HTTP to 127.0.0.1 (it refuses non-https base URLs)."""

    def __init__(self, routing_key: str, base_url: str) -> None:
        self.responses: list[httpx2.Response] = []
        super().__init__(routing_key, base_url=base_url)
        # Fail fast: a 5xx from Klaxon is a bug to see, not a transient to retry with back-off.
        self.retry.clear()

    @property
    def url(self) -> str:
        return str(self._url)

    @url.setter
    def url(self, new_base_url: str) -> None:
        self._url = new_base_url

    def postprocess(self, response: httpx2.Response) -> None:
        self.responses.append(response)


@pytest.fixture
def events(platform: Platform) -> Iterator[LocalEventsClient]:
    with LocalEventsClient(CHECKOUT_KEY, platform.url) as client:
        yield client


def _trigger(events: LocalEventsClient, dedup_key: str, severity: str = "critical") -> str:
    return events.trigger(f"Checkout errors ({dedup_key})", "web-1.acme.example", dedup_key, severity)


def _open(platform: Platform, events: LocalEventsClient, dedup_key: str) -> dict[str, Any]:
    """Trigger and wait for the incident the router opens."""
    assert _trigger(events, dedup_key) == dedup_key
    return platform.await_incident("checkout", dedup_key)


@pytest.mark.parametrize(
    ("severity", "priority", "urgency"),
    [("critical", "P1", "high"), ("error", "P2", "high"), ("warning", "P3", "low"), ("info", "P4", "low")],
)
def test_trigger_opens_a_triggered_incident_prioritised_by_severity(
    platform: Platform, events: LocalEventsClient, severity: str, priority: str, urgency: str
) -> None:
    dedup_key = unique(f"pd-{severity}")

    returned = _trigger(events, dedup_key, severity)

    assert returned == dedup_key
    assert events.responses[-1].status_code == 202
    incident = platform.await_incident("checkout", dedup_key)
    assert incident["status"] == "triggered"
    assert (incident["priority"], incident["urgency"], incident["severity"]) == (priority, urgency, severity)
    assert incident["title"] == f"Checkout errors ({dedup_key})"
    assert incident["alert_count"] == 1


def test_trigger_without_dedup_key_gets_one_generated_and_returned(
    platform: Platform, events: LocalEventsClient
) -> None:
    summary = unique("no dedup key")

    dedup_key = events.trigger(summary, "web-1.acme.example")

    assert dedup_key
    assert platform.await_incident("checkout", dedup_key)["title"] == summary


def test_retrigger_with_the_same_dedup_key_joins_the_open_incident(
    platform: Platform, events: LocalEventsClient
) -> None:
    dedup_key = unique("pd-again")
    first = _open(platform, events, dedup_key)

    _trigger(events, dedup_key)

    joined = platform.await_incident("checkout", dedup_key, lambda i: i["alert_count"] == 2)
    assert joined["id"] == first["id"]
    assert joined["number"] == first["number"]
    assert joined["status"] == "triggered"
    assert len(platform.incidents(service="checkout", dedup_key=dedup_key)) == 1


def test_acknowledge_from_the_client_acknowledges_the_incident(
    platform: Platform, events: LocalEventsClient
) -> None:
    incident = _open(platform, events, unique("pd-ack"))

    events.acknowledge(incident["dedup_key"])

    acknowledged = platform.await_status(incident["id"], "acknowledged")
    assert acknowledged["acknowledged_by"] == CHECKOUT_INTEGRATION
    assert acknowledged["acknowledged_at"] is not None
    assert events.responses[-1].status_code == 202


def test_resolve_from_the_client_resolves_the_incident(platform: Platform, events: LocalEventsClient) -> None:
    incident = _open(platform, events, unique("pd-resolve"))
    events.acknowledge(incident["dedup_key"])
    platform.await_status(incident["id"], "acknowledged")

    events.resolve(incident["dedup_key"])

    resolved = platform.await_status(incident["id"], "resolved")
    assert resolved["resolved_by"] == CHECKOUT_INTEGRATION
    kinds = [
        entry["kind"]
        for entry in platform.api.get(f"/v1/incidents/{incident['id']}/timeline").json()["timeline"]
    ]
    # Escalation may add `notified` entries in between, depending on how fast the ack lands.
    assert [k for k in kinds if k in ("triggered", "acknowledged", "resolved")] == [
        "triggered",
        "acknowledged",
        "resolved",
    ]


def test_trigger_after_resolve_opens_a_new_incident_with_a_new_number(
    platform: Platform, events: LocalEventsClient
) -> None:
    dedup_key = unique("pd-reopen")
    old = _open(platform, events, dedup_key)
    events.resolve(dedup_key)
    platform.await_status(old["id"], "resolved")

    _trigger(events, dedup_key)

    new = platform.await_incident("checkout", dedup_key, lambda i: i["id"] != old["id"])
    assert new["status"] == "triggered"
    assert new["number"] > old["number"]
    assert new["alert_count"] == 1
    assert platform.incident(old["id"])["status"] == "resolved"


def test_change_event_is_accepted_and_opens_no_incident(
    platform: Platform, events: LocalEventsClient
) -> None:
    summary = unique("Deployed checkout v2.3")

    # The client's own default timestamp raises (pagerduty 7.2: `datetime.timezone`), so pass one.
    events.submit(summary, "ci.acme.example", timestamp=datetime.now(UTC).isoformat())

    assert events.responses[-1].status_code == 202
    # The change reached the bus before this trigger and takes less work: once its incident exists, the
    # change has been handled too, so an incident it wrongly opened would be listed by now.
    barrier = _open(platform, events, unique("pd-after-change"))
    titles = {incident["title"] for incident in platform.incidents(service="checkout")}
    assert barrier["title"] in titles
    assert summary not in titles


def test_unknown_routing_key_is_refused_with_pagerdutys_invalid_event(platform: Platform) -> None:
    stranger = LocalEventsClient("NOT-A-KLAXON-KEY-000000000000000", platform.url)
    with stranger, pytest.raises(pagerduty.HttpError) as refused:
        stranger.trigger("should not page", "nowhere")

    answer = refused.value.response
    assert answer is not None
    assert answer.status_code == 400
    assert answer.json()["status"] == "invalid event"

"""An alert storm against `klaxon up`: 2,000 PagerDuty events over 20 dedup keys from 8 senders at once
become exactly 20 incidents, each paged once at its first step, with every alert counted."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.support import PAYMENTS_KEY, Platform, unique, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

EVENTS = 2000
KEYS = 20
SENDERS = 8
ROUTE_WITHIN = 120.0  # a deadline, not a speed goal: bench/bench_storm.py measures the speed
STEP_ONE_CHANNELS = {"push", "sms"}  # the demo policy's first step pages the primary on call by push and SMS


def _event(dedup_key: str, n: int) -> dict[str, Any]:
    return {
        "routing_key": PAYMENTS_KEY,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {
            "summary": f"Card declines ({dedup_key})",
            "source": f"pay-{n % 5}",
            "severity": "critical",
        },
    }


def _send(client: httpx.Client, events: list[dict[str, Any]]) -> list[int]:
    return [client.post("/v2/enqueue", json=event).status_code for event in events]


@pytest.fixture(scope="module")
def storm(platform: Platform) -> dict[str, Any]:
    """Send the storm once; the tests below each check one thing about what it left."""
    prefix = unique("storm")
    keys = [f"{prefix}-{k:02d}" for k in range(KEYS)]
    events = [_event(keys[n % KEYS], n) for n in range(EVENTS)]
    shares = [events[i::SENDERS] for i in range(SENDERS)]
    clients = [httpx.Client(base_url=platform.url, timeout=30.0) for _ in range(SENDERS)]
    try:
        with ThreadPoolExecutor(max_workers=SENDERS) as pool:
            statuses = [s for share in pool.map(_send, clients, shares) for s in share]
    finally:
        for client in clients:
            client.close()

    def found() -> list[dict[str, Any]]:
        return [i for i in platform.incidents(service="payments") if i["dedup_key"].startswith(prefix)]

    incidents = wait_for(
        found,
        lambda got: sum(i["alert_count"] for i in got) >= EVENTS,
        timeout=ROUTE_WITHIN,
        what=f"{EVENTS} alerts on the storm's incidents",
    )
    return {"statuses": statuses, "incidents": incidents, "keys": keys}


def test_every_event_is_answered_202_without_a_server_error(storm: dict[str, Any]) -> None:
    assert Counter(storm["statuses"]) == {202: EVENTS}


def test_the_storm_opens_exactly_one_incident_per_dedup_key(storm: dict[str, Any]) -> None:
    assert sorted(i["dedup_key"] for i in storm["incidents"]) == storm["keys"]


def test_alert_counts_add_up_to_every_event(storm: dict[str, Any]) -> None:
    assert sum(i["alert_count"] for i in storm["incidents"]) == EVENTS
    assert {i["alert_count"] for i in storm["incidents"]} == {EVENTS // KEYS}


def test_each_incident_pages_the_on_call_user_once_per_channel_at_its_first_step(
    platform: Platform, storm: dict[str, Any]
) -> None:
    def pages(incident_id: str) -> list[dict[str, Any]]:
        response = platform.api.get(f"/v1/incidents/{incident_id}/notifications")
        assert response.status_code == 200, response.text
        return response.json()["notifications"]  # type: ignore[no-any-return]

    for incident in storm["incidents"]:
        sent = wait_for(
            lambda incident=incident: pages(incident["id"]),
            lambda found: {n["channel"] for n in found} >= STEP_ONE_CHANNELS,
            what=f"the first step's pages for incident {incident['number']}",
        )
        assert {n["step"] for n in sent} == {0}
        assert len({n["user"] for n in sent}) == 1
        assert sorted(n["channel"] for n in sent) == sorted(STEP_ONE_CHANNELS)

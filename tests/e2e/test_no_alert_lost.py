"""Nothing accepted is lost: every trigger answered 202 under concurrent load ends up in an incident."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.support import PAYMENTS_KEY, Platform, unique, wait_for

pytestmark = pytest.mark.e2e

THREADS = 8


def _trigger(client: httpx.Client, dedup_key: str) -> httpx.Response:
    event = {
        "routing_key": PAYMENTS_KEY,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {"summary": f"Card declines ({dedup_key})", "source": "pay-1", "severity": "error"},
    }
    return client.post("/v2/enqueue", json=event)


def _send_concurrently(platform: Platform, dedup_keys: list[str]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(lambda key: _trigger(platform.anonymous, key), dedup_keys))


def _incidents_with_prefix(platform: Platform, prefix: str) -> list[dict[str, Any]]:
    return [i for i in platform.incidents(service="payments") if i["dedup_key"].startswith(prefix)]


def test_every_accepted_trigger_becomes_an_incident(platform: Platform) -> None:
    prefix = unique("load")
    dedup_keys = [f"{prefix}-{n:02d}" for n in range(50)]

    responses = _send_concurrently(platform, dedup_keys)

    assert [r.status_code for r in responses] == [202] * 50, [
        r.text for r in responses if r.status_code != 202
    ]
    assert [r.json()["dedup_key"] for r in responses] == dedup_keys
    incidents = wait_for(
        lambda: _incidents_with_prefix(platform, prefix),
        lambda found: len(found) >= 50,
        timeout=30.0,
        what="50 incidents",
    )
    assert sorted(i["dedup_key"] for i in incidents) == dedup_keys
    assert len({i["number"] for i in incidents}) == 50
    assert {(i["status"], i["alert_count"]) for i in incidents} == {("triggered", 1)}


def test_concurrent_triggers_with_one_dedup_key_open_exactly_one_incident(platform: Platform) -> None:
    dedup_key = unique("race")

    responses = _send_concurrently(platform, [dedup_key] * 20)

    assert {r.status_code for r in responses} == {202}
    incidents = wait_for(
        lambda: platform.incidents(service="payments", dedup_key=dedup_key),
        lambda found: sum(i["alert_count"] for i in found) >= 20,
        timeout=30.0,
        what="20 alerts on the dedup key's incidents",
    )
    assert len(incidents) == 1, incidents
    assert incidents[0]["alert_count"] == 20


def test_an_alert_as_big_as_ingest_accepts_becomes_an_incident_that_pages_once(platform: Platform) -> None:
    """12,000 links (about 450 KB, under the 512 KB limit): more than a DynamoDB item holds."""
    dedup_key = unique("links")
    links = [{"href": f"https://g.example/d/{n:05d}"} for n in range(12_000)]
    event = {
        "routing_key": PAYMENTS_KEY,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {"summary": "Card declines", "source": "pay-1", "severity": "critical"},
        "links": links,
    }

    response = platform.anonymous.post("/v2/enqueue", json=event)

    assert response.status_code == 202, response.text
    incident = platform.await_incident("payments", dedup_key, timeout=30.0)
    shown = platform.incident(incident["id"])
    assert [link["href"] for link in shown["links"]] == [link["href"] for link in links]
    pages = wait_for(
        lambda: platform.api.get(f"/v1/incidents/{incident['id']}/notifications").json()["notifications"],
        lambda found: len(found) > 0,
        timeout=30.0,
        what="the first page",
    )
    keys = [(n["step"], n["user"], n["channel"]) for n in pages]
    assert len(set(keys)) == len(keys)

"""Helpers for the noise-control integration tests: Alertmanager notifications and waiting on the platform."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from klaxon.local.platform import LocalPlatform

AM_KEY = "KLAXON-DEMO-ALERTMANAGER-KEY-001"
CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
T = TypeVar("T")


def notification(status: str, group: str, instances: list[tuple[str, str]], **labels: str) -> dict[str, Any]:
    """An Alertmanager v4 webhook: one group of (fingerprint, status) alerts sharing `labels`."""
    alerts = [
        {
            "status": state,
            "labels": {**labels, "fp": fp},
            "annotations": {"summary": "from the integration tests"},
            "startsAt": "2026-01-01T00:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": fp,
        }
        for fp, state in instances
    ]
    return {
        "version": "4",
        "status": status,
        "receiver": "klaxon",
        "groupKey": group,
        "alerts": alerts,
        "groupLabels": {},
        "commonLabels": labels,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.test",
    }


def send_am(http: httpx.Client, platform: LocalPlatform, body: dict[str, Any]) -> None:
    response = http.post(
        "/v1/integrations/alertmanager", json=body, headers={"Authorization": f"Bearer {AM_KEY}"}
    )
    assert response.status_code == 202, response.text
    assert platform.drain()


def send_pd(http: httpx.Client, platform: LocalPlatform, key: str, action: str = "trigger") -> None:
    event: dict[str, Any] = {"routing_key": CHECKOUT_KEY, "event_action": action, "dedup_key": key}
    if action == "trigger":
        event["payload"] = {"summary": f"{key} failing", "source": "web-1", "severity": "critical"}
    response = http.post("/v2/enqueue", json=event)
    assert response.status_code == 202, response.text
    assert platform.drain()


def incidents(http: httpx.Client, **params: str) -> list[dict[str, Any]]:
    response = http.get("/v1/incidents", params={**params, "limit": 100})
    assert response.status_code == 200, response.text
    return response.json()["incidents"]  # type: ignore[no-any-return]


def notifications(http: httpx.Client, incident_id: str) -> list[dict[str, Any]]:
    return http.get(f"/v1/incidents/{incident_id}/notifications").json()["notifications"]  # type: ignore[no-any-return]


def eventually(probe: Callable[[], T], timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)

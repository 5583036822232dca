"""Heartbeats under moto: a ping needs only its key; silence opens an incident, a ping ends it."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.fakes.memory import FixedClock
from tests.integration.noise_support import incidents

KEY = "KLAXON-DEMO-HEARTBEAT-KEY-000001"  # the demo's nightly-backup heartbeat: a day, plus 30 minutes' grace


@pytest.fixture
def anonymous(platform):
    with httpx.Client(base_url=platform.url, timeout=10) as client:
        yield client


@pytest.fixture
def checker(platform):
    """The heartbeat service on a clock the test moves, writing to the platform's tables and bus."""
    from dataclasses import replace

    from klaxon import wiring

    return replace(wiring.container().heartbeat_service, clock=FixedClock(datetime.now(UTC)))


def test_a_ping_needs_no_api_token(platform, anonymous) -> None:
    response = anonymous.post(f"/v1/heartbeats/{KEY}")

    assert response.status_code == 200, response.text
    assert (response.json()["id"], response.json()["status"]) == ("nightly-backup", "ok")


def test_a_ping_with_an_unknown_key_is_refused(platform, anonymous) -> None:
    assert anonymous.post("/v1/heartbeats/NOT-A-HEARTBEAT-KEY-00000000").status_code == 401


def test_heartbeats_are_listed_with_when_they_are_due(platform, http) -> None:
    (heartbeat,) = http.get("/v1/heartbeats").json()["heartbeats"]

    assert (heartbeat["id"], heartbeat["interval_seconds"], heartbeat["grace_seconds"]) == (
        "nightly-backup",
        86400,
        1800,
    )


def test_the_scheduled_check_runs_as_a_function(platform) -> None:
    assert platform.invoker.invoke("heartbeat_check", {}) == {"missed": []}


def test_silence_opens_an_incident_on_the_heartbeats_service(platform, http, checker) -> None:
    checker.check()  # starts watching
    checker.clock.advance(hours=24, minutes=31)

    assert checker.check() == ["nightly-backup"]
    platform.drain()

    (incident,) = incidents(http, dedup_key="heartbeat:nightly-backup")
    assert (incident["service"], incident["status"]) == ("platform", "triggered")


def test_the_next_ping_resolves_the_miss(platform, http, anonymous, checker) -> None:
    checker.check()
    checker.clock.advance(hours=25)
    checker.check()
    platform.drain()

    assert anonymous.post(f"/v1/heartbeats/{KEY}").status_code == 200
    platform.drain()

    (incident,) = incidents(http, dedup_key="heartbeat:nightly-backup")
    assert incident["status"] == "resolved"


def test_a_ping_in_time_keeps_the_heartbeat_quiet(platform, http, anonymous, checker) -> None:
    checker.check()
    assert anonymous.post(f"/v1/heartbeats/{KEY}").status_code == 200
    checker.clock.advance(hours=24)

    assert checker.check() == []

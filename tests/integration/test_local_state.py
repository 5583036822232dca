"""`klaxon up --data DIR`: a stopped platform starts again where it was (klaxon.local.state)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from klaxon.local.platform import LocalPlatform, Options
from klaxon.local.state import LocalState, StateError
from tests.conftest import DEMO_CONFIG
from tests.integration.test_escalation_flow import trigger, wait_until

TOKEN = "state-token"


@contextmanager
def running(data: Path, time_scale: float = 600.0) -> Iterator[tuple[LocalPlatform, httpx.Client]]:
    platform = LocalPlatform(
        Options(config=DEMO_CONFIG, port=0, api_token=TOKEN, time_scale=time_scale, data_dir=data)
    ).start()
    try:
        with httpx.Client(
            base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ) as api:
            yield platform, api
    finally:
        platform.stop()


def steps_paged(api: httpx.Client, incident_id: str) -> set[int]:
    notifications = api.get(f"/v1/incidents/{incident_id}/notifications").json()["notifications"]
    return {n["step"] for n in notifications if n["status"] == "sent"}


def test_a_restart_keeps_the_incident_and_its_next_step_pages(tmp_path: Path) -> None:
    # Given an incident whose first step paged, on a platform slow enough that step 2 is 5 s away
    with running(tmp_path, time_scale=60.0) as (platform, api):
        incident = trigger(api, platform, "restart-me")
        wait_until(lambda: steps_paged(api, incident["id"]) == {0})
    # When the platform starts again on the same folder
    with running(tmp_path, time_scale=60.0) as (platform, api):
        # Then the incident is there, still triggered, and its next step pages
        again = api.get(f"/v1/incidents/{incident['id']}").json()
        assert (again["number"], again["status"]) == (incident["number"], "triggered")
        assert platform.restored.incidents >= 1
        assert [t["execution"] for t in platform.restored.timers] == [incident["id"]]
        wait_until(lambda: 1 in steps_paged(api, incident["id"]), timeout=30)
        assert steps_paged(api, incident["id"]) >= {0, 1}


def test_a_step_due_while_the_platform_was_down_pages_at_start(tmp_path: Path) -> None:
    with running(tmp_path, time_scale=60.0) as (platform, api):
        incident = trigger(api, platform, "due-while-down")
        wait_until(lambda: steps_paged(api, incident["id"]) == {0})
    timers = json.loads((tmp_path / "timers.json").read_text())
    timers[incident["id"]]["due_at"] -= 3600  # as if the platform had been down for an hour
    (tmp_path / "timers.json").write_text(json.dumps(timers))
    with running(tmp_path, time_scale=1.0) as (_, api):  # at real time step 2 would be 5 minutes away
        wait_until(lambda: 1 in steps_paged(api, incident["id"]), timeout=20)


def test_an_incident_acknowledged_before_the_stop_pages_nobody_after_it(tmp_path: Path) -> None:
    with running(tmp_path, time_scale=60.0) as (platform, api):
        incident = trigger(api, platform, "acked-before-stop")
        wait_until(lambda: steps_paged(api, incident["id"]) == {0})
        assert api.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 200
        assert platform.drain()
    with running(tmp_path, time_scale=600.0) as (platform, api):
        assert api.get(f"/v1/incidents/{incident['id']}").json()["status"] == "acknowledged"
        assert platform.restored.timers == []
        assert platform.drain()
        assert steps_paged(api, incident["id"]) == {0}


def test_numbers_keep_counting_and_big_alerts_keep_their_body(tmp_path: Path) -> None:
    with running(tmp_path) as (platform, api):
        first = trigger(api, platform, "first")
        event = {
            "routing_key": "KLAXON-DEMO-CHECKOUT-KEY-0000001",
            "event_action": "trigger",
            "dedup_key": "big-details",
            "payload": {
                "summary": "big",
                "source": "lb",
                "severity": "warning",
                "custom_details": {"log": "x" * 100_000},  # over 64 KB: kept in the payload bucket
            },
        }
        assert api.post("/v2/enqueue", json=event).status_code == 202
        assert platform.drain()
        big = api.get("/v1/incidents", params={"dedup_key": "big-details"}).json()["incidents"][0]
        assert big["details_ref"]
    with running(tmp_path) as (platform, api):
        assert api.get(f"/v1/incidents/{big['id']}").json()["details"] == {"log": "x" * 100_000}
        second = trigger(api, platform, "second")
        assert second["number"] == big["number"] + 1 > first["number"]


def test_a_second_platform_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    with running(tmp_path):
        other = LocalState(tmp_path)
        with pytest.raises(StateError, match="another `klaxon up`"):
            other.open()


def test_a_folder_of_another_format_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text(json.dumps({"format": 999}))
    with pytest.raises(StateError, match="--ephemeral"):
        LocalState(tmp_path).open()


def test_a_line_cut_short_by_a_hard_kill_loses_only_that_line(tmp_path: Path) -> None:
    with running(tmp_path) as (platform, api):
        incident = trigger(api, platform, "before-the-kill")
    with (tmp_path / "dynamodb.jsonl").open("a") as journal:
        journal.write('{"table": "klaxon-incidents", "key": {"id": {"S": "cut')
    with running(tmp_path) as (_, api):
        assert api.get(f"/v1/incidents/{incident['id']}").json()["status"] == "triggered"


def test_deliveries_left_unfinished_at_a_stop_run_at_the_next_start(tmp_path: Path) -> None:
    # Given a router delivery that never ran (kept at a stop, as `invocations.json` holds them)
    with running(tmp_path) as (platform, api):
        trigger(api, platform, "warm-up")
    alert: dict[str, Any] = {
        "version": "0",
        "id": "kept-delivery",
        "detail-type": "Alert Received",
        "source": "klaxon",
        "account": "123456789012",
        "time": "2026-12-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "alert": {
                "id": "kept-alert-0001",
                "action": "trigger",
                "dedup_key": "kept-over-a-restart",
                "service": "checkout",
                "integration": "checkout-events",
                "source_kind": "pagerduty",
                "received_at": "2026-12-01T00:00:00Z",
                "summary": "queued when the platform stopped",
                "source": "lb",
                "severity": "warning",
            },
            "payload_ref": None,
        },
    }
    (tmp_path / "invocations.json").write_text(json.dumps([{"function": "router", "event": alert}]))
    # When the platform starts, then the delivery runs and opens its incident
    with running(tmp_path) as (platform, api):
        assert platform.drain()
        found = api.get("/v1/incidents", params={"dedup_key": "kept-over-a-restart"}).json()["incidents"]
        assert [i["title"] for i in found] == ["queued when the platform stopped"]

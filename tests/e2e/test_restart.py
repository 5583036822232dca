"""`klaxon up --data DIR` across a real stop and start of the process: nothing open is forgotten."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.e2e.support import CHECKOUT_KEY, klaxon_up, read_log, unique, wait_for


def paged_steps(api: httpx.Client, incident_id: str) -> set[int]:
    found = api.get(f"/v1/incidents/{incident_id}/notifications").json()["notifications"]
    return {n["step"] for n in found if n["status"] == "sent"}


def test_a_stopped_platform_starts_again_with_its_incident_and_pages_the_next_step(tmp_path: Path) -> None:
    data = tmp_path / "state"
    key = unique("restart")
    event = {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {"summary": "Checkout down across a restart", "source": "lb", "severity": "critical"},
    }
    # Trigger: the first step pages; the second is 5 minutes (5 s at this scale) away.
    with klaxon_up(tmp_path / "first.log", "--data", str(data), "--time-scale", "60") as (api, anonymous):
        assert anonymous.post("/v2/enqueue", json=event).status_code == 202
        incident = wait_for(
            lambda: (api.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"] or [None])[0],
            what="the incident",
        )
        wait_for(lambda: paged_steps(api, incident["id"]), lambda steps: steps == {0}, what="step 1's page")
    first = read_log(tmp_path / "first.log")
    assert f"kept in {data}/" in first and "state kept in" in first
    # Start again: the incident is there and the next step pages.
    with klaxon_up(tmp_path / "second.log", "--data", str(data), "--time-scale", "60") as (api, _):
        again = api.get(f"/v1/incidents/{incident['id']}").json()
        assert (again["number"], again["status"]) == (incident["number"], "triggered")
        wait_for(lambda: paged_steps(api, incident["id"]), lambda s: 1 in s, timeout=30, what="step 2")
    second = read_log(tmp_path / "second.log")
    assert re.search(r"kept in .*\(restored \d+ incidents, resumed 1 timers\)", second), second


def test_state_is_kept_in_dot_klaxon_by_default_and_nowhere_when_ephemeral(tmp_path: Path) -> None:
    (tmp_path / "default").mkdir()
    with klaxon_up(tmp_path / "default.log", cwd=tmp_path / "default"):
        pass
    assert "kept in .klaxon/" in read_log(tmp_path / "default.log")
    assert (tmp_path / "default" / ".klaxon" / "dynamodb.jsonl").is_file()
    (tmp_path / "ephemeral").mkdir()
    with klaxon_up(tmp_path / "ephemeral.log", "--ephemeral", cwd=tmp_path / "ephemeral"):
        pass
    assert "in memory only (--ephemeral)" in read_log(tmp_path / "ephemeral.log")
    assert list((tmp_path / "ephemeral").iterdir()) == []

"""The incident commands people type: drills, refs by number or id prefix, watch, heartbeat pings,
report windows and epoch timestamps, run through the real CLI against the platform."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from klaxon.cli import app
from tests.conftest import DEMO_CONFIG
from tests.integration.conftest import TOKEN

CHECKOUT = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
HEARTBEAT = "nightly-backup"


@pytest.fixture
def klaxon(platform):
    runner = CliRunner(env={"COLUMNS": "250"})

    def run(*args: str, token: bool = True):
        auth = ["--token", TOKEN] if token else []
        return runner.invoke(app, [*args, "--api", platform.url, *auth])

    return run


def trigger(http, key: str, **payload: object) -> None:
    event = {"routing_key": CHECKOUT, "event_action": "trigger", "dedup_key": key}
    event["payload"] = {"summary": f"cli {key}", "source": "cli-test", "severity": "critical", **payload}
    assert http.post("/v2/enqueue", json=event).status_code == 202


def opened(http, key: str) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = http.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no incident for {key}")


def test_a_fast_drill_walks_every_step_and_passes(klaxon):
    result = klaxon("drill", "--policy", "default", "--time-scale", "600")
    assert result.exit_code == 0, result.output
    assert "DRILL PASSED: every step of the policy paged (5 step(s))" in result.stdout
    assert "step 5/5  grace by push" in result.stdout  # each page printed as it went out


def test_a_drill_that_runs_out_of_time_names_the_step_that_never_paged(klaxon):
    result = klaxon("drill", "--policy", "default", "--timeout", "2", "--json")
    report = json.loads(result.stdout)
    assert (result.exit_code, report["passed"]) == (1, False)
    assert report["problems"] == ["step 2 (schedule secondary), due 5:00 after the start, never paged"]
    assert "every step" not in report["summary"]


def test_an_incident_is_named_by_number_or_id_prefix(klaxon, http):
    trigger(http, "cli-ref")
    incident = opened(http, "cli-ref")
    shown = json.loads(klaxon("show", str(incident["number"]), "--json").stdout)
    assert shown["id"] == incident["id"]
    acked = klaxon("ack", incident["id"][:10])
    assert acked.exit_code == 0, acked.output
    assert http.get(f"/v1/incidents/{incident['id']}").json()["status"] == "acknowledged"
    resolved = klaxon("incidents", "resolve", f"#{incident['number']}")
    assert resolved.exit_code == 0, resolved.output
    assert http.get(f"/v1/incidents/{incident['id']}").json()["status"] == "resolved"


def test_an_ambiguous_prefix_lists_the_candidates(klaxon, http):
    ids: list[str] = []
    shared = None
    while shared is None:  # digits name an incident number first: find two ids sharing a letter
        assert len(ids) < 60, ids
        trigger(http, f"cli-many-{len(ids)}")
        ids.append(opened(http, f"cli-many-{len(ids)}")["id"])
        shared = next((c for c in "abcdef" if sum(i.startswith(c) for i in ids) > 1), None)
    result = klaxon("ack", shared)
    assert result.exit_code == 1
    assert f"'{shared}' could be any of these" in result.stderr
    assert all(i in result.stderr for i in ids if i.startswith(shared))
    assert klaxon("show", "zzzz").stderr.startswith("no incident is numbered zzzz")


def test_watch_prints_the_timeline_until_the_incident_is_acknowledged(klaxon, http):
    trigger(http, "cli-watch")
    incident = opened(http, "cli-watch")
    http.post(f"/v1/incidents/{incident['id']}/acknowledge")
    result = klaxon("watch", str(incident["number"]), "--until", "acknowledged", "--timeout", "20")
    assert result.exit_code == 0, result.output
    assert f"#{incident['number']} is acknowledged." in result.stdout
    assert "triggered" in result.stdout and "acknowledged" in result.stdout


def test_changes_lists_a_services_change_events_newest_first(klaxon, http):
    for n in range(3):
        change = {"routing_key": CHECKOUT, "payload": {"summary": f"deployed v{n}", "source": "ci"}}
        change["links"] = [{"href": f"https://ci.example/{n}"}]
        assert http.post("/v2/change/enqueue", json=change).status_code == 202
    deadline = time.monotonic() + 20
    while len(http.get("/v1/services/checkout/timeline").json()["timeline"]) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    shown = klaxon("changes", "checkout", "--limit", "2", "--json")
    assert shown.exit_code == 0, shown.output
    assert [e["message"] for e in json.loads(shown.output)] == ["deployed v2", "deployed v1"]
    table = klaxon("changes", "checkout")
    assert table.exit_code == 0 and "deployed v0" in table.output and "https://ci.example/0" in table.output
    unknown = klaxon("changes", "nope")
    assert unknown.exit_code == 1 and "service nope not found" in unknown.output


def test_heartbeat_ping_uses_the_heartbeats_own_key(klaxon):
    result = klaxon("heartbeat", "ping", HEARTBEAT, "--config", str(DEMO_CONFIG), token=False)
    assert result.exit_code == 0, result.output
    assert f"heartbeat {HEARTBEAT} is" in result.stdout


def test_heartbeat_ping_without_a_key_says_how_to_give_one(klaxon):
    result = klaxon("heartbeat", "ping", HEARTBEAT, token=False)
    assert result.exit_code == 2
    assert "no key for heartbeat 'nightly-backup'" in result.output
    assert "KLAXON_HEARTBEAT_KEY" in result.output


@pytest.mark.parametrize(
    ("window", "days"),
    [((), 30), (("--since", "7d"), 7), (("--month", "2026-11"), 30), (("--from", "yesterday"), None)],
)
def test_reports_default_to_30_days_and_take_relative_windows(klaxon, window, days):
    body = json.loads(klaxon("report", "noise", *window, "--json").stdout)
    start = datetime.fromisoformat(body["start"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(body["end"].replace("Z", "+00:00"))
    if days is not None:
        assert abs((end - start) - timedelta(days=days)) <= timedelta(hours=1)
    else:
        assert timedelta(days=1) <= end - start <= timedelta(days=2)


def test_every_timestamp_field_takes_an_epoch_number(http):
    seconds = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())
    trigger(http, "cli-epoch-s", timestamp=seconds)
    trigger(http, "cli-epoch-ms", timestamp=seconds * 1000)
    opened(http, "cli-epoch-s"), opened(http, "cli-epoch-ms")
    later = seconds + 86400 * 3
    window = {"name": "epoch", "services": ["checkout"], "start": later, "end": str((later + 3600) * 1000)}
    made = http.post("/v1/maintenance-windows", json=window)
    assert made.status_code == 201, made.text
    assert made.json()["start"].startswith(datetime.fromtimestamp(later, UTC).strftime("%Y-%m-%dT%H:%M"))
    report = http.get("/v1/reports/noise", params={"start": seconds - 86400, "end": seconds * 1000})
    assert report.status_code == 200, report.text
    bad = http.post(
        "/v2/enqueue",
        json={
            "routing_key": CHECKOUT,
            "event_action": "trigger",
            "payload": {"summary": "s", "source": "s", "severity": "info", "timestamp": "soon"},
        },
    )
    assert bad.status_code == 400
    assert "must be an ISO 8601 timestamp or an epoch number" in bad.text

"""Action items on the local platform, against mock Jira and Linear servers that check every request
against the vendors' own descriptions: publishing files each item in its service's tracker, a tracker that
is down leaves items waiting (listed, retried by the timer), and signed webhooks mark them done."""

from __future__ import annotations

import copy
import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from klaxon.cli import app
from klaxon.local.platform import LocalPlatform, Options
from tests.conftest import DEMO_CONFIG
from tests.fakes.jira_server import JiraServer, jira_webhook
from tests.fakes.linear_server import LinearServer, linear_webhook
from tests.fakes.memory import FixedClock
from tests.integration.conftest import TOKEN
from tests.integration.test_postmortems import resolved_p1

PAYMENTS_KEY = "KLAXON-DEMO-PAYMENTS-KEY-0000001"
JIRA_HOOK_SECRET = "jira-webhook-secret"
LINEAR_HOOK_SECRET = "lin_wh_secret"


@pytest.fixture
def trackers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[JiraServer, LinearServer, Path]]:
    with JiraServer() as jira, LinearServer() as linear:
        credentials = {
            "ops-jira": {
                "email": jira.state.email,
                "api_token": jira.state.token,
                "webhook_secret": JIRA_HOOK_SECRET,
            },
            "search-linear": {"api_key": linear.state.api_key, "webhook_secret": LINEAR_HOOK_SECRET},
        }
        monkeypatch.setenv("TRACKER_CREDENTIALS", json.dumps(credentials))
        monkeypatch.setenv("LINEAR_API_URL", f"{linear.url}/graphql")
        config = tmp_path / "acme.yaml"
        text = DEMO_CONFIG.read_text().replace("https://acme.atlassian.net", jira.url)
        linear_takes = "      services:\n        - search\n"
        assert linear_takes in text
        config.write_text(text.replace(linear_takes, f"{linear_takes}        - payments\n"))
        yield jira, linear, config
        assert jira.state.violations == [] and linear.state.violations == []


@pytest.fixture
def tracked(trackers: Any) -> Iterator[LocalPlatform]:
    running = LocalPlatform(Options(config=trackers[2], port=0, api_token=TOKEN)).start()
    yield running
    running.stop()


@pytest.fixture
def tracked_http(tracked: LocalPlatform) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=tracked.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as client:
        yield client


def publish(http: httpx.Client, platform: LocalPlatform, incident_id: str, *titles: str) -> None:
    url = f"/v1/incidents/{incident_id}/postmortem"
    version = http.get(url).json()["version"]
    items = [{"title": t, "owner": "erin", "due": "2026-12-24", "kind": "detect"} for t in titles]
    answer = http.put(url, json={"version": version, "status": "published", "action_items": items})
    assert answer.status_code == 200, answer.text
    assert platform.drain()


def items(http: httpx.Client, incident_id: str, **params: Any) -> list[dict[str, Any]]:
    found = http.get("/v1/actions", params={"incident_id": incident_id, **params})
    assert found.status_code == 200, found.text
    return [row["item"] for row in found.json()["action_items"]]


def test_published_items_become_jira_issues_a_signed_webhook_closes_one_and_the_report_says_50_percent(
    trackers, tracked, tracked_http, fixture_json, tmp_path
):
    jira, _, _ = trackers
    incident = resolved_p1(tracked, tracked_http, fixture_json, "actions-jira")
    publish(tracked_http, tracked, incident["id"], "Alert on pool saturation", "Load-test checkout")

    first, second = items(tracked_http, incident["id"])
    assert (first["ticket"]["key"], second["ticket"]["key"]) == ("OPS-1", "OPS-2")
    assert first["ticket"]["url"] == f"{jira.url}/browse/OPS-1"
    assert f"/v1/incidents/{incident['id']}/postmortem" in json.dumps(jira.state.issues["OPS-1"]["fields"])

    body, headers = jira_webhook(jira.state.complete("OPS-1"), JIRA_HOOK_SECRET)
    forged = httpx.post(
        f"{tracked.url}/trackers/jira/ops-jira",
        content=body,
        headers={**headers, "X-Hub-Signature": "sha256=00"},
    )
    assert forged.status_code == 401
    assert (
        httpx.post(f"{tracked.url}/trackers/jira/no-such", content=body, headers=headers).status_code == 404
    )
    answer = httpx.post(f"{tracked.url}/trackers/jira/ops-jira", content=body, headers=headers)
    assert (answer.status_code, answer.json()) == (200, {"received": 1, "matched": 1})

    first, second = items(tracked_http, incident["id"])
    assert first["done_at"] is not None and second["done_at"] is None
    assert items(tracked_http, incident["id"], status="open") == [second]
    assert items(tracked_http, incident["id"], status="done") == [first]
    assert items(tracked_http, incident["id"], owner="erin") == [first, second]
    assert items(tracked_http, incident["id"], owner="nobody", status="open") == []
    assert tracked_http.get("/v1/actions", params={"status": "closed"}).status_code == 400
    mine = CliRunner(env={"COLUMNS": "250"}).invoke(
        app,
        [
            "action",
            "list",
            "--status",
            "open",
            "--owner",
            "erin",
            "--json",
            "--api",
            tracked.url,
            "--token",
            TOKEN,
        ],
    )
    assert [r["item"]["title"] for r in json.loads(mine.output)["action_items"]] == ["Load-test checkout"]

    month = datetime.now(UTC).strftime("%Y-%m")
    runner = CliRunner(env={"COLUMNS": "250", "TZ": "UTC"})
    where = ["--api", tracked.url, "--token", TOKEN]
    shown = runner.invoke(app, ["report", "actions", "--month", month, *where])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"Only 50% of the action items created in {month} are done (1 of 2)")
    page = tmp_path / "actions.html"
    written = runner.invoke(
        app, ["report", "actions", "--month", month, "--format", "html", "--out", str(page), *where]
    )
    assert written.exit_code == 0 and page.as_uri() in written.output, written.output
    assert "Only 50%" in page.read_text() and "<svg" in page.read_text()
    response = runner.invoke(app, ["report", "response", "--since", "1d", "--format", "json", *where])
    body = json.loads(response.output)
    (everything,) = [r for r in body["rows"] if r["by"] == "all"]
    assert incident["number"] in everything["resolve"]["incidents"]


def test_a_tracker_that_is_down_leaves_items_waiting_until_a_retry_files_them(
    trackers, tracked, tracked_http, fixture_json
):
    jira, _, _ = trackers
    incident = resolved_p1(tracked, tracked_http, fixture_json, "actions-down")
    jira.state.fail(1)  # the one create the publish makes
    publish(tracked_http, tracked, incident["id"], "Alert on pool saturation")

    (waiting,) = items(tracked_http, incident["id"], unsynced="true")
    assert waiting["ticket"] is None and "503" in waiting["filing"]["error"]
    runner = CliRunner(env={"COLUMNS": "250"})
    listed = runner.invoke(app, ["action", "list", "--unsynced", "--api", tracked.url, "--token", TOKEN])
    assert listed.exit_code == 0 and "Alert on pool saturation" in listed.output and "503" in listed.output

    assert tracked.ticker is not None
    tracked.ticker.fire("action-items-retry")  # its minute's wait is not over: still waiting
    assert tracked.drain()
    assert [i["filing"]["attempts"] for i in items(tracked_http, incident["id"], unsynced="true")] == [1]

    from klaxon import wiring

    later = datetime.fromisoformat(waiting["filing"]["next_at"])
    service = dataclasses.replace(wiring.container().action_service, clock=FixedClock(later))
    assert service.file_due() == [incident["id"]]  # what the timer runs, a minute later
    (filed,) = items(tracked_http, incident["id"])
    assert filed["ticket"]["key"] == "OPS-1" and filed["filing"] is None
    assert items(tracked_http, incident["id"], unsynced="true") == []


def resolved_payments_p1(platform: LocalPlatform, http: httpx.Client, fixture_json: Any) -> dict[str, Any]:
    body = copy.deepcopy(fixture_json("pagerduty-events-v2-trigger.json"))
    body.update(routing_key=PAYMENTS_KEY, dedup_key="actions-payments")
    body["payload"].update(summary="Payments: card declines", severity="critical")
    assert http.post("/v2/enqueue", json=body).status_code == 202
    assert platform.drain()
    (incident,) = http.get("/v1/incidents", params={"dedup_key": "actions-payments"}).json()["incidents"]
    assert http.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    assert platform.drain()
    return dict(incident)


def test_klaxon_action_add_files_at_once_in_the_services_tracker_and_linear_webhooks_close_it(
    trackers, tracked, tracked_http, fixture_json
):
    _, linear, _ = trackers
    incident = resolved_payments_p1(tracked, tracked_http, fixture_json)
    runner = CliRunner(env={"COLUMNS": "250"})
    where = ["--api", tracked.url, "--token", TOKEN]
    added = runner.invoke(
        app,
        [
            "action",
            "add",
            str(incident["number"]),
            "--title",
            "Runbook for pool exhaustion",
            "--due",
            "2026-12-20",
            *where,
        ],
    )
    assert added.exit_code == 0, added.output
    assert tracked.drain()
    (item,) = items(tracked_http, incident["id"])
    assert (item["ticket"]["kind"], item["ticket"]["key"]) == ("linear", "ENG-1")  # payments: Linear's here
    (issue,) = linear.state.issues.values()
    assert issue["title"] == "Runbook for pool exhaustion" and "Due: 2026-12-20." in issue["description"]

    done = linear.state.complete(issue["id"])
    body, headers = linear_webhook(done, LINEAR_HOOK_SECRET, at_ms=int(time.time() * 1000))
    url = f"{tracked.url}/trackers/linear/search-linear"
    assert httpx.post(url, content=body, headers={**headers, "Linear-Signature": "0" * 64}).status_code == 401
    assert httpx.post(url, content=body, headers=headers).json() == {"received": 1, "matched": 1}
    (item,) = items(tracked_http, incident["id"])
    assert item["done_at"] is not None

    bad = runner.invoke(
        app, ["action", "add", str(incident["number"]), "--title", "x", "--due", "soon", *where]
    )
    assert bad.exit_code == 2 and "not a date" in bad.output

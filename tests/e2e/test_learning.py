"""Issue 16's whole flow against a real `klaxon up` subprocess, with mock Jira and Linear servers that
check every request against the vendors' own descriptions: a P1 sent by the official PagerDuty client pages,
is acknowledged, gets status updates and resolves; its post-mortem draft has the right timeline and
durations; publishing files its action item in Jira, and one added to a payments incident goes to Linear;
Jira's signed webhook closes one; the month's action items report says 50% and warns first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.conftest import DEMO_CONFIG
from tests.e2e.conftest import _klaxon_up
from tests.e2e.support import CHECKOUT_KEY, PAYMENTS_KEY, Platform, unique, wait_for
from tests.e2e.test_pagerduty_client import LocalEventsClient
from tests.fakes.jira_server import JiraServer, jira_webhook
from tests.fakes.linear_server import LinearServer

pytestmark = pytest.mark.e2e
JIRA_SECRET = "e2e-jira-webhook-secret"


@pytest.fixture(scope="module")
def trackers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[JiraServer, LinearServer, Platform]]:
    folder = tmp_path_factory.mktemp("klaxon-up-learning")
    with JiraServer() as jira, LinearServer() as linear:
        text = DEMO_CONFIG.read_text().replace("https://acme.atlassian.net", jira.url)
        linear_takes = "      services:\n        - search\n"
        config = folder / "acme.yaml"
        config.write_text(text.replace(linear_takes, f"{linear_takes}        - payments\n"))
        credentials = {
            "ops-jira": {
                "email": jira.state.email,
                "api_token": jira.state.token,
                "webhook_secret": JIRA_SECRET,
            },
            "search-linear": {"api_key": linear.state.api_key, "webhook_secret": "unused"},
        }
        env = {"TRACKER_CREDENTIALS": json.dumps(credentials), "LINEAR_API_URL": f"{linear.url}/graphql"}
        for platform in _klaxon_up(folder, config, **env):
            yield jira, linear, platform
        assert jira.state.violations == [] and linear.state.violations == []


def resolved(platform: Platform, key: str, routing_key: str, summary: str) -> dict[str, Any]:
    """A P1 through the official client: paged, acknowledged, two status updates, resolved."""
    dedup_key = unique(key)
    with LocalEventsClient(routing_key, platform.url) as events:
        events.trigger(summary, "web-1.acme.example", dedup_key, "critical")
    incident = wait_for(
        lambda: (
            platform.api.get("/v1/incidents", params={"dedup_key": dedup_key}).json()["incidents"] or [None]
        )[0],
        what="the incident",
    )
    url = f"/v1/incidents/{incident['id']}"
    wait_for(lambda: platform.api.get(f"{url}/notifications").json()["notifications"], what="the first page")
    assert platform.api.post(f"{url}/acknowledge").status_code == 200
    # The status page opens its incident on its own event: the updates wait for it (409 before).
    wait_for(lambda: platform.api.get(f"{url}/status-updates").status_code == 200, what="the public incident")
    for status, text in (("identified", "Bad deploy found"), ("monitoring", "Rolled back")):
        posted = platform.api.post(f"{url}/status-updates", json={"status": status, "text": text})
        assert posted.status_code == 201, posted.text
    assert platform.api.post(f"{url}/resolve").status_code == 200
    return dict(incident)


def test_from_alert_to_post_mortem_to_tickets_to_the_monthly_report(trackers: Any) -> None:
    jira, linear, platform = trackers
    checkout = resolved(platform, "learning-checkout", CHECKOUT_KEY, "Checkout: 5xx above 5%")
    url = f"/v1/incidents/{checkout['id']}/postmortem"
    found = wait_for(
        lambda: platform.api.get(url).json() if platform.api.get(url).status_code == 200 else None,
        what="the draft",
    )

    text = found["postmortem"]["markdown"]
    timeline = text[text.index("## Timeline") :]
    kinds = [
        "Triggered",
        "Paged",
        "Acknowledged",
        "Status page: identified",
        "Status page: monitoring",
        "Resolved",
    ]
    places = [timeline.find(k) for k in kinds]
    assert -1 not in places and places == sorted(places), timeline
    for line in ("- Time to acknowledge: ", "- Time to mitigate: ", "- Time to resolve: "):
        assert line in text and "not reached" not in text.split(line)[1].split("\n")[0]

    item = {
        "title": "Alert on the deploy's error budget",
        "owner": "erin",
        "due": "2026-12-31",
        "kind": "detect",
    }
    published = platform.api.put(
        url, json={"version": found["version"], "status": "published", "action_items": [item]}
    )
    assert published.status_code == 200, published.text
    payments = resolved(platform, "learning-payments", PAYMENTS_KEY, "Payments: card declines")
    wait_for(
        lambda: platform.api.get(f"/v1/incidents/{payments['id']}/postmortem").status_code == 200,
        what="its draft",
    )
    added = platform.api.post(
        f"/v1/incidents/{payments['id']}/postmortem/actions",
        json={"title": "Runbook for declines", "kind": "process"},
    )
    assert added.status_code == 201, added.text

    def filed() -> list[dict[str, Any]] | None:
        rows = platform.api.get("/v1/actions").json()["action_items"]
        mine = [r["item"] for r in rows if r["incident_id"] in (checkout["id"], payments["id"])]
        return mine if len(mine) == 2 and all(i["ticket"] for i in mine) else None

    items = wait_for(filed, what="both tickets")
    assert sorted(i["ticket"]["kind"] for i in items) == ["jira", "linear"]
    assert list(jira.state.issues) == ["OPS-1"] and len(linear.state.issues) == 1

    body, headers = jira_webhook(jira.state.complete("OPS-1"), JIRA_SECRET)
    closed = httpx.post(f"{platform.url}/trackers/jira/ops-jira", content=body, headers=headers)
    assert closed.json() == {"received": 1, "matched": 1}

    month = datetime.now(UTC).strftime("%Y-%m")
    start = f"{month}-01T00:00:00Z"
    end = datetime.now(UTC).isoformat()
    report = platform.api.get("/v1/reports/actions", params={"start": start, "end": end}).json()
    assert report["months"][-1]["completion_rate"] == 0.5
    assert report["warning"].startswith(f"Only 50% of the action items created in {month} are done (1 of 2)")

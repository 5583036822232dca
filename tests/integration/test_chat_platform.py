"""Chat rooms on the local platform: alerts in through the API, Slack (the mock Web API) or the log out."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import httpx

import klaxon.local.emulation  # noqa: F401 - first: fake credentials, moto before any boto3 session
from klaxon.domain.chat.names import room_name
from klaxon.local.platform import LocalPlatform

CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"


def trigger(fixture_json: Any, dedup_key: str, severity: str = "critical") -> dict[str, Any]:
    body = copy.deepcopy(fixture_json("pagerduty-events-v2-trigger.json"))
    body.update(routing_key=CHECKOUT_KEY, dedup_key=dedup_key)
    body["payload"].update(summary="Checkout: 5xx above 5%", severity=severity)
    return body


def opened(
    http: httpx.Client, platform: LocalPlatform, fixture_json: Any, key: str, **kw: Any
) -> dict[str, Any]:
    assert http.post("/v2/enqueue", json=trigger(fixture_json, key, **kw)).status_code == 202
    assert platform.drain()
    (incident,) = http.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"]
    return incident


def test_a_p1_opens_a_slack_channel_kept_current_through_its_resolution(
    slack, slack_platform, slack_http, fixture_json
):
    incident = opened(slack_http, slack_platform, fixture_json, "chat-p1")
    assert incident["priority"] == "P1"
    name = room_name(incident["number"], incident["title"], date.fromisoformat(incident["created_at"][:10]))
    channel = slack.workspace.channel_named(name)
    assert channel is not None, sorted(c.name for c in slack.workspace.channels.values())
    users = {u["profile"]["email"]: u["id"] for u in slack.workspace.users.values()}
    assert users["grace@acme.example"] in channel.members  # the standing member
    assert len(channel.members) >= 3  # the bot, grace and whoever is on call for checkout first
    (summary_ts,) = channel.pins
    assert "[P1, triggered]" in channel.messages[summary_ts]["text"]
    card_channel = slack.workspace.channel_named("incidents")
    (card_ts,) = card_channel.messages
    assert card_channel.messages[card_ts]["text"].endswith(f"triggered · #{name}")

    assert slack_http.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 200
    assert slack_platform.drain()
    assert "[P1, acknowledged]" in channel.messages[summary_ts]["text"]
    assert slack_http.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    assert slack_platform.drain()
    assert "[P1, resolved]" in channel.messages[summary_ts]["text"]
    assert " · resolved · " in card_channel.messages[card_ts]["text"]
    # Two messages: the summary, updated in place, and the runbook, posted once under it.
    summary, runbook = sorted(channel.messages.values(), key=lambda m: float(m["ts"]))
    assert summary["ts"] == summary_ts
    assert runbook["text"] == "Runbook for #{}: the runbook".format(incident["number"])
    assert len(slack.workspace.calls_of("conversations.create")) == 1

    view = slack_http.get(f"/v1/incidents/{incident['id']}/chat").json()
    assert view["room"]["name"] == name
    assert view["room"]["room"] == channel.id
    assert view["room"]["archive_at"] is not None
    assert [m["id"] for m in view["messages"]] == [summary_ts, runbook["ts"]]


def test_without_slack_the_room_is_logged_and_shown_by_the_api(platform, http, fixture_json):
    incident = opened(http, platform, fixture_json, "chat-log")
    view = http.get(f"/v1/incidents/{incident['id']}/chat").json()
    assert view["room"]["room"].startswith("log:inc-")
    assert view["room"]["invited"][-1] == "grace@acme.example"
    summary, runbook = view["messages"]
    assert runbook["text"].startswith("Runbook for #")
    assert summary["pinned"] is True
    assert summary["text"].startswith(f"#{incident['number']} Checkout: 5xx above 5% [P1, triggered]")
    assert "Runbook" in summary["text"]


def test_a_low_priority_incident_has_no_room(platform, http, fixture_json):
    incident = opened(http, platform, fixture_json, "chat-p3", severity="warning")
    assert incident["priority"] not in {"P1", "P2"}
    assert http.get(f"/v1/incidents/{incident['id']}/chat").json() == {
        "room": None,
        "messages": [],
        "next": None,
    }


def test_the_chat_of_an_unknown_incident_is_404(http):
    answer = http.get("/v1/incidents/nosuchincident/chat")
    assert answer.status_code == 404


def test_an_asynchronous_invoke_is_queued_and_answered_at_once_as_in_aws(platform):
    """Bolt's lazy listeners invoke their own function with InvocationType=Event: the local platform
    answers 202 at once and runs it on its queue (moto alone would run it before answering)."""
    import json

    from klaxon.adapters.aws import client

    before = platform.invoker.invocations["chat_sync"]
    answer = client("lambda").invoke(
        FunctionName="chat_sync", InvocationType="Event", Payload=json.dumps({"source": "test"})
    )
    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""  # not the handler's answer: it has not run yet
    assert platform.drain()
    assert platform.invoker.invocations["chat_sync"] == before + 1


def test_a_duplicate_alert_does_not_wake_the_room_keeper(platform, http, fixture_json):
    """Each duplicate of a storm publishes "Incident Updated" (alert added): chat_sync takes only the
    updates its summary shows (roles, priority)."""
    opened(http, platform, fixture_json, "dupes")
    before = platform.invoker.invocations["chat_sync"]
    for _ in range(3):
        assert http.post("/v2/enqueue", json=trigger(fixture_json, "dupes")).status_code == 202
    assert platform.drain()
    assert platform.invoker.invocations["chat_sync"] == before

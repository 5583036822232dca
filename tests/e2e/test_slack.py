"""Issue 15's flow against a real `klaxon up` subprocess with Slack enabled by its environment
(SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL pointing at the mock Web API): an alert opens a
channel with the right name and a pinned summary, `/klaxon status identified` (confirmed) updates the
status page, a pinned message lands on the timeline, `/klaxon resolve` resolves and the summary follows.
Without the tokens, the shared platform prints the room to its console instead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from klaxon.config.loader import load_config
from klaxon.domain.chat.names import room_name
from tests.conftest import DEMO_CONFIG
from tests.e2e.conftest import _klaxon_up
from tests.e2e.support import Platform, read_log, unique, wait_for
from tests.fakes.slack_requests import SlackSender
from tests.fakes.slack_server import Channel, SlackServer

pytestmark = pytest.mark.e2e
SECRET = "e2e-slack-signing-secret"
CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        for user in load_config(DEMO_CONFIG).users:
            server.workspace.add_user(user.email, user.name)
        server.workspace.add_channel("incidents")
        yield server
        assert server.workspace.violations == []


@pytest.fixture(scope="module")
def slack_up(slack: SlackServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    env = {
        "SLACK_BOT_TOKEN": slack.workspace.token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
    }
    yield from _klaxon_up(tmp_path_factory.mktemp("klaxon-up-slack"), **env)


def open_p1(platform: Platform, summary: str) -> dict[str, Any]:
    key = unique("slack")
    body = {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {"summary": summary, "source": "e2e", "severity": "critical"},
    }
    assert platform.anonymous.post("/v2/enqueue", json=body).status_code == 202
    found = wait_for(
        lambda: platform.api.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"],
        what="the incident",
    )
    return dict(found[0])


def test_the_whole_flow_against_klaxon_up(slack: SlackServer, slack_up: Platform) -> None:
    incident = open_p1(slack_up, "Checkout: 5xx above 5%")
    name = room_name(incident["number"], incident["title"], date.fromisoformat(incident["created_at"][:10]))
    channel: Channel = wait_for(
        lambda: slack.workspace.channel_named(name),
        lambda c: c is not None and c.pins,
        what="the pinned room",
    )
    (summary_ts,) = channel.pins
    assert "[P1, triggered]" in channel.messages[summary_ts]["text"]
    carol = slack.workspace.users["carol@acme.example"]["id"]
    with httpx.Client(base_url=slack_up.url, timeout=10) as client:
        sender = SlackSender(client, SECRET, slack.base)
        assert sender.command("status identified Bad deploy found", channel.id, carol).status_code == 200
        proposal = wait_for(lambda: slack.workspace.responses[:1], what="the proposal")[0]
        confirm = proposal["blocks"][1]["elements"][0]
        assert sender.click(confirm["action_id"], confirm["value"], channel.id, carol).status_code == 200
        status = f"/v1/incidents/{incident['id']}/status-updates"
        wait_for(lambda: slack_up.api.get(status).json()["status"] == "identified", what="identified")

        message = slack.workspace.post_as(carol, channel, "Rolling back deploy 1234")
        item = {"type": "message", "channel": channel.id, "message": message}
        sender.event(
            {
                "type": "pin_added",
                "user": carol,
                "channel_id": channel.id,
                "item": item,
                "event_ts": message["ts"],
            }
        )
        timeline = f"/v1/incidents/{incident['id']}/timeline"
        entry = wait_for(
            lambda: [e for e in slack_up.api.get(timeline).json()["timeline"] if e["kind"] == "chat message"],
            what="the captured message",
        )[0]
        assert (entry["message"], entry["actor"], entry["source"]) == (
            "Rolling back deploy 1234",
            "carol",
            "slack",
        )

        assert sender.command("resolve Rolled back", channel.id, carol).status_code == 200
        wait_for(lambda: "[P1, resolved]" in channel.messages[summary_ts]["text"], what="the summary")
    assert slack_up.api.get(f"/v1/incidents/{incident['id']}").json()["status"] == "resolved"
    # Klaxon's messages in the room: the summary, updated in place, and the runbook posted once under it.
    assert [m["ts"] for m in channel.messages.values() if "bot_id" in m and "Runbook" not in m["text"]] == [
        summary_ts
    ]


def test_without_slack_klaxon_up_prints_the_room(platform: Platform) -> None:
    incident = open_p1(platform, "Checkout: console room")
    name = room_name(incident["number"], incident["title"], date.fromisoformat(incident["created_at"][:10]))
    wait_for(lambda: f"chat   opened log:{name}" in read_log(platform.log_path), what="the console")
    chat = wait_for(
        lambda: platform.api.get(f"/v1/incidents/{incident['id']}/chat").json()["messages"], what="the room"
    )
    assert chat[0]["text"].startswith(f"#{incident['number']} Checkout: console room [P1, triggered]")

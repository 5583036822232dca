"""`POST /slack/events` on the local platform, signed as Slack signs, against the mock Web API: the
/klaxon command, its confirmation buttons, the summary's buttons, and messages captured into the timeline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import klaxon.local.emulation  # noqa: F401 - first: fake credentials, moto before any boto3 session
from klaxon.local.platform import LocalPlatform, Options
from tests.fakes.slack_requests import SlackSender
from tests.fakes.slack_server import Channel, SlackServer
from tests.integration.conftest import SLACK_SIGNING_SECRET
from tests.integration.test_chat_platform import opened


@pytest.fixture
def sender(slack: SlackServer, slack_platform: LocalPlatform) -> Iterator[SlackSender]:
    with httpx.Client(base_url=slack_platform.url, timeout=10) as client:
        yield SlackSender(client, SLACK_SIGNING_SECRET, slack.base)


def user(slack: SlackServer, email: str) -> str:
    return str(slack.workspace.users[email]["id"])


def room_of(slack: SlackServer, incident: dict[str, Any]) -> Channel:
    (channel,) = [c for c in slack.workspace.channels.values() if c.name.startswith("inc-")]
    assert f"-{incident['number']}-" in channel.name
    return channel


def settle(platform: LocalPlatform, slack: SlackServer, responses: int) -> list[dict[str, Any]]:
    """Wait for the lazy listeners' work (and what it set off) and for `responses` answers in all."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert platform.drain()
        if len(slack.workspace.responses) >= responses:
            return slack.workspace.responses
        time.sleep(0.05)
    raise AssertionError(f"{len(slack.workspace.responses)} responses, wanted {responses}")


def test_the_whole_flow_alert_room_status_update_pinned_message_resolve(
    slack, slack_platform, slack_http, sender, fixture_json
):
    incident = opened(slack_http, slack_platform, fixture_json, "flow")
    channel = room_of(slack, incident)
    (summary_ts,) = channel.pins
    carol = user(slack, "carol@acme.example")

    # /klaxon status identified: proposed to its author only, posted when confirmed.
    answer = sender.command("status identified We found a bad deploy", channel.id, carol)
    assert answer.status_code == 200
    (proposal,) = settle(slack_platform, slack, 1)
    assert proposal["response_type"] == "ephemeral"
    assert (
        slack_http.get(f"/v1/incidents/{incident['id']}/status-updates").json()["status"] == "investigating"
    )
    confirm = proposal["blocks"][1]["elements"][0]
    assert sender.click(confirm["action_id"], confirm["value"], channel.id, carol).status_code == 200
    posted = settle(slack_platform, slack, 2)[1]
    assert posted["response_type"] == "in_channel"
    public = slack_http.get(f"/v1/incidents/{incident['id']}/status-updates").json()
    assert public["status"] == "identified"
    assert public["updates"][-1]["body"] == "We found a bad deploy"

    # A message pinned in the room lands on the timeline, with its own time and author.
    message = slack.workspace.post_as(carol, channel, "Rolling back deploy 1234")
    pin = {"type": "pin_added", "user": carol, "channel_id": channel.id, "event_ts": message["ts"]}
    pin["item"] = {
        "type": "message",
        "channel": channel.id,
        "message": message,
        "created": 1,
        "created_by": carol,
    }
    assert sender.event(pin).status_code == 200
    assert slack_platform.drain()
    timeline = slack_http.get(f"/v1/incidents/{incident['id']}/timeline").json()["timeline"]
    (captured,) = [e for e in timeline if e["kind"] == "chat message"]
    assert (captured["message"], captured["actor"], captured["source"]) == (
        "Rolling back deploy 1234",
        "carol",
        "slack",
    )
    assert captured["at"].startswith(time.strftime("%Y-%m-%dT", time.gmtime(float(message["ts"]))))

    # /klaxon resolve resolves it, and the summary is updated in place.
    assert sender.command("resolve Rolled back", channel.id, carol).status_code == 200
    settle(slack_platform, slack, 3)
    assert slack_http.get(f"/v1/incidents/{incident['id']}").json()["status"] == "resolved"
    assert "[P1, resolved]" in channel.messages[summary_ts]["text"]
    kinds = [
        (e["kind"], e["source"])
        for e in slack_http.get(f"/v1/incidents/{incident['id']}/timeline").json()["timeline"]
    ]
    assert ("note", "slack") in kinds and ("resolved", "klaxon") in kinds


def test_bad_or_stale_signatures_are_401_and_change_nothing(
    slack, slack_platform, slack_http, sender, fixture_json
):
    incident = opened(slack_http, slack_platform, fixture_json, "signed")
    channel = room_of(slack, incident)
    carol = user(slack, "carol@acme.example")
    assert sender.command("ack", channel.id, carol, secret="not-the-secret").status_code == 401
    assert sender.command("ack", channel.id, carol, timestamp=int(time.time()) - 600).status_code == 401
    assert slack_platform.drain()
    assert slack_http.get(f"/v1/incidents/{incident['id']}").json()["status"] == "triggered"
    assert slack.workspace.responses == []


def test_a_typo_gets_usage_only_its_author_sees_and_nothing_changes(
    slack, slack_platform, slack_http, sender, fixture_json
):
    incident = opened(slack_http, slack_platform, fixture_json, "typo")
    channel = room_of(slack, incident)
    carol = user(slack, "carol@acme.example")
    answer = sender.command("stauts identified", channel.id, carol)
    assert answer.status_code == 200
    assert answer.json()["text"].startswith("`stauts` is not a /klaxon command.")
    assert answer.json()["response_type"] == "ephemeral"
    answer = sender.command("status fixed", channel.id, carol)
    assert "takes one of identified, monitoring, resolved" in answer.json()["text"]
    assert slack_platform.drain()
    assert slack.workspace.responses == []
    assert slack_http.get(f"/v1/incidents/{incident['id']}").json()["status"] == "triggered"
    assert (
        slack_http.get(f"/v1/incidents/{incident['id']}/status-updates").json()["status"] == "investigating"
    )


def test_outside_a_room_a_command_names_its_incident(slack, slack_platform, slack_http, sender, fixture_json):
    incident = opened(slack_http, slack_platform, fixture_json, "elsewhere")
    general = slack.workspace.add_channel("general")
    carol = user(slack, "carol@acme.example")
    sender.command("ack", general.id, carol)
    (unnamed,) = settle(slack_platform, slack, 1)
    assert unnamed["text"].startswith("this channel is no incident's: name one, e.g. `#42`.")
    sender.command(f"ack #{incident['number']}", general.id, carol)
    acked = settle(slack_platform, slack, 2)[1]
    assert acked["response_type"] == "in_channel"
    found = slack_http.get(f"/v1/incidents/{incident['id']}").json()
    assert (found["status"], found["acknowledged_by"]) == ("acknowledged", "carol")
    sender.command("ack #999999", general.id, carol)
    assert (
        settle(slack_platform, slack, 3)[2]["text"]
        == "Klaxon could not do that: there is no incident #999999"
    )


def test_the_summary_buttons_acknowledge_then_resolve(
    slack, slack_platform, slack_http, sender, fixture_json
):
    incident = opened(slack_http, slack_platform, fixture_json, "buttons")
    channel = room_of(slack, incident)
    (summary_ts,) = channel.pins
    buttons = channel.messages[summary_ts]["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Acknowledge", "Resolve"]
    stranger = slack.workspace.add_user("visitor@elsewhere.example", "Visitor")
    sender.click(buttons[0]["action_id"], buttons[0]["value"], channel.id, stranger)
    settle(slack_platform, slack, 1)
    found = slack_http.get(f"/v1/incidents/{incident['id']}").json()
    assert (found["status"], found["acknowledged_by"]) == ("acknowledged", f"slack:{stranger}")
    (resolve,) = channel.messages[summary_ts]["blocks"][-1]["elements"]
    sender.click(resolve["action_id"], resolve["value"], channel.id, stranger)
    settle(slack_platform, slack, 2)
    assert slack_http.get(f"/v1/incidents/{incident['id']}").json()["status"] == "resolved"
    assert channel.messages[summary_ts]["blocks"][-1]["type"] != "actions"


def test_marked_messages_are_captured_once_edited_and_deleted(
    slack, slack_platform, slack_http, sender, fixture_json
):
    incident = opened(slack_http, slack_platform, fixture_json, "capture")
    channel = room_of(slack, incident)
    dave = user(slack, "dave@acme.example")
    first = slack.workspace.post_as(dave, channel, "Error rate is falling")
    second = slack.workspace.post_as(dave, channel, "Just chatting")

    def reaction(name: str, ts: str) -> dict[str, Any]:
        item = {"type": "message", "channel": channel.id, "ts": ts}
        return {"type": "reaction_added", "user": dave, "reaction": name, "item": item, "event_ts": ts}

    def captured() -> list[dict[str, Any]]:
        assert slack_platform.drain()
        timeline = slack_http.get(f"/v1/incidents/{incident['id']}/timeline").json()["timeline"]
        return [e for e in timeline if e["kind"] == "chat message"]

    sender.event(reaction("pushpin", first["ts"]))
    sender.event(reaction("pushpin", first["ts"]))  # twice: one entry
    sender.event(reaction("tada", second["ts"]))  # not the timeline reaction
    sender.shortcut(channel.id, dave, first)  # and the shortcut: still one entry
    assert [(e["message"], e["actor"], e["data"]["how"]) for e in captured()] == [
        ("Error rate is falling", "dave", "shortcut")
    ]
    edited = {**first, "text": "Error rate is back to normal"}
    sender.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel.id,
            "message": edited,
            "ts": "1.0",
            "event_ts": "1.0",
        }
    )
    (entry,) = captured()
    assert (entry["message"], entry["data"]["edited"]) == ("Error rate is back to normal", True)
    sender.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": channel.id,
            "deleted_ts": first["ts"],
            "ts": "2.0",
            "event_ts": "2.0",
        }
    )
    assert captured() == []
    settle(slack_platform, slack, 1)  # the shortcut's answer


def test_without_slack_the_url_is_404(platform, http):
    answer = http.post("/slack/events", content=b"{}", headers={"Content-Type": "application/json"})
    assert answer.status_code == 404
    assert answer.json() == {"message": "Slack is not set up for this Klaxon (docs/slack.md)"}


def test_a_reminders_snooze_button_puts_the_next_reminder_off(
    slack, slack_platform, slack_http, sender, fixture_json
):
    from klaxon import wiring

    incident = opened(slack_http, slack_platform, fixture_json, "snooze")
    channel = room_of(slack, incident)
    carol = user(slack, "carol@acme.example")
    sender.click("klaxon_snooze", incident["id"], channel.id, carol)
    (answer,) = settle(slack_platform, slack, 1)
    assert answer["text"] == "Snoozed: the next reminder in 30 minutes."
    found = wiring.container().chat_rooms.get(incident["id"])
    assert found is not None
    assert found[0].snoozed_at is not None
    sender.click("klaxon_snooze", "no-such-incident", channel.id, carol)
    assert (
        settle(slack_platform, slack, 2)[1]["text"]
        == "Klaxon could not do that: incident no-such-incident has no room"
    )


def test_declare_opens_a_room_whose_summary_names_the_commander_and_follows_sev_and_roles(
    slack, slack_platform, slack_http, sender
):
    carol, dave = user(slack, "carol@acme.example"), user(slack, "dave@acme.example")
    general = slack.workspace.add_channel("general")
    sender.command("declare Payments are failing --sev P1 --service payments", general.id, carol)
    (declared,) = settle(slack_platform, slack, 1)
    assert declared["response_type"] == "in_channel"
    (incident,) = slack_http.get("/v1/incidents", params={"service": "payments"}).json()["incidents"]
    assert (incident["title"], incident["priority"], incident["roles"]) == (
        "Payments are failing",
        "P1",
        {"commander": "carol"},
    )
    channel = room_of(slack, incident)
    (summary_ts,) = channel.pins

    def facts() -> dict[str, str]:
        blocks = channel.messages[summary_ts]["blocks"]
        fields = [f["text"] for b in blocks if "fields" in b for f in b["fields"]]
        return dict(f.strip("*").split("*\n", 1) for f in fields)

    assert facts()["Commander"] == "carol"
    sender.command(f"role scribe <@{dave}|dave>", channel.id, carol)
    sender.command("sev P2", channel.id, carol)
    settle(slack_platform, slack, 3)
    assert (facts()["Scribe"], facts()["Priority"]) == ("dave", "P2 (high urgency)")
    kinds = [e["kind"] for e in slack_http.get(f"/v1/incidents/{incident['id']}/timeline").json()["timeline"]]
    assert kinds.count("role assigned") == 2 and "priority changed" in kinds


@pytest.fixture
def slack_paging(
    slack: SlackServer, tmp_path: Any
) -> Iterator[tuple[LocalPlatform, httpx.Client, SlackSender]]:
    """The demo organisation where Carol is also reached on Slack, and the default policy's first step
    pages by Slack as well."""
    from tests.conftest import DEMO_CONFIG
    from tests.integration.conftest import TOKEN

    text = DEMO_CONFIG.read_text()
    carol = "      - {type: email, address: carol@acme.example, label: work}\n"
    text = text.replace(carol, carol + "      - {type: slack, address: carol@acme.example}\n", 1)
    text = text.replace("channels: [push, sms]", "channels: [push, sms, slack]", 1)
    config = tmp_path / "acme.yaml"
    config.write_text(text)
    running = LocalPlatform(Options(config=config, port=0, api_token=TOKEN)).start()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=running.url, headers=headers, timeout=10) as client:
        yield running, client, SlackSender(client, SLACK_SIGNING_SECRET, slack.base)
    running.stop()


def test_a_page_by_slack_is_a_direct_message_whose_buttons_escalate_and_acknowledge(
    slack, slack_paging, fixture_json
):
    platform, http, sender = slack_paging
    incident = opened(http, platform, fixture_json, "dm-page")
    carol = user(slack, "carol@acme.example")
    (dm,) = [c for c in slack.workspace.channels.values() if c.id.startswith("D") and c.name == carol]
    (page,) = dm.messages.values()
    assert page["text"] == f"Klaxon #{incident['number']} P1 checkout: Checkout: 5xx above 5%"
    buttons = {b["text"]["text"]: b for b in page["blocks"][-1]["elements"]}
    assert list(buttons) == ["Acknowledge", "Resolve", "Escalate"]
    channels = {
        n["channel"]
        for n in http.get(f"/v1/incidents/{incident['id']}/notifications").json()["notifications"]
    }
    assert "slack" in channels

    escalate = buttons["Escalate"]
    sender.click(escalate["action_id"], escalate["value"], dm.id, carol)
    (escalated,) = settle(platform, slack, 1)
    assert escalated["text"].startswith("carol escalated #")
    assert http.get(f"/v1/incidents/{incident['id']}").json()["escalation_round"] == 1
    acknowledge = buttons["Acknowledge"]
    sender.click(acknowledge["action_id"], acknowledge["value"], dm.id, carol)
    settle(platform, slack, 2)
    found = http.get(f"/v1/incidents/{incident['id']}").json()
    assert (found["status"], found["acknowledged_by"]) == ("acknowledged", "carol")


def test_a_schedules_user_group_follows_shifts_and_overrides(slack, tmp_path):
    from datetime import UTC, datetime, timedelta

    from tests.conftest import DEMO_CONFIG
    from tests.integration.conftest import TOKEN

    group = slack.workspace.add_usergroup("primary-oncall")
    text = DEMO_CONFIG.read_text().replace(
        "  archive_after_days: 7\n", f"  archive_after_days: 7\n  oncall_groups: {{primary: {group}}}\n", 1
    )
    config = tmp_path / "acme.yaml"
    config.write_text(text)
    platform = LocalPlatform(Options(config=config, port=0, api_token=TOKEN)).start()
    try:
        with httpx.Client(
            base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ) as http:
            platform.invoker.invoke(
                "chat_sync", {"source": "aws.scheduler", "detail-type": "Scheduled Event"}
            )
            (on_call,) = http.get("/v1/oncall", params={"schedule": "primary"}).json()["on_call"]
            people = {u["id"]: email for email, u in slack.workspace.users.items()}
            assert [people[u] for u in slack.workspace.usergroups[group]["users"]] == [
                f"{on_call['user']}@acme.example"
            ]
            now = datetime.now(UTC)
            other = "dave" if on_call["user"] != "dave" else "erin"
            override = {
                "user": other,
                "start": now.isoformat(),
                "end": (now + timedelta(hours=1)).isoformat(),
            }
            assert http.post("/v1/schedules/primary/overrides", json=override).status_code == 201
            assert platform.drain()
            assert [people[u] for u in slack.workspace.usergroups[group]["users"]] == [
                f"{other}@acme.example"
            ]
            updates = len(slack.workspace.calls_of("usergroups.users.update"))
            platform.invoker.invoke(
                "chat_sync", {"source": "aws.scheduler", "detail-type": "Scheduled Event"}
            )
            assert (
                len(slack.workspace.calls_of("usergroups.users.update")) == updates
            )  # unchanged: not written
    finally:
        platform.stop()


def test_socket_mode_takes_a_command_over_the_websocket(slack, monkeypatch, fixture_json):
    """`klaxon up` with SLACK_APP_TOKEN: Slack's requests come over Socket Mode, no public URL needed."""
    from tests.conftest import DEMO_CONFIG
    from tests.fakes.slack_socket import SocketModeServer
    from tests.integration.conftest import TOKEN

    with SocketModeServer() as socket:
        slack.workspace.socket_url = socket.url
        monkeypatch.setenv("SLACK_APP_TOKEN", slack.workspace.app_token)
        platform = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN)).start()
        try:
            with httpx.Client(
                base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
            ) as http:
                incident = opened(http, platform, fixture_json, "socket")
                channel = room_of(slack, incident)
                assert socket.connected.wait(10)
                carol = user(slack, "carol@acme.example")
                command = {
                    "command": "/klaxon",
                    "text": "ack",
                    "channel_id": channel.id,
                    "user_id": carol,
                    "team_id": "T00000001",
                    "response_url": f"{slack.base}/respond/socket",
                    "trigger_id": "1.trigger",
                    "api_app_id": "AKLAXON01",
                }
                envelope = socket.send("slash_commands", command)
                (answer,) = settle(platform, slack, 1)
                assert answer["text"].startswith("carol acknowledged")
                assert envelope in {ack.get("envelope_id") for ack in socket.acks}
                assert http.get(f"/v1/incidents/{incident['id']}").json()["status"] == "acknowledged"
        finally:
            platform.stop()

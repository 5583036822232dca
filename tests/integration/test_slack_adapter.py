"""The Slack adapter against the mock Web API: every call checked against Slack's own description."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from klaxon.adapters.slack import SlackChat, blocks_of
from klaxon.domain.chat.messages import ChatLink, ChatMessage, Fact
from klaxon.domain.chat.rooms import ChatFailed, NameTaken
from tests.fakes.slack_server import SlackServer
from tests.fakes.slack_spec import check_call

SUMMARY = ChatMessage(
    text="#42 Checkout <down> & out [P1, triggered]",
    heading="#42 Checkout <down> & out",
    facts=tuple(Fact(f"Fact {i}", f"value {i}") for i in range(12)),
    links=(ChatLink("Grafana | checkout", "https://grafana.example/d/1"),),
    note="CLI: klaxon incidents show 42",
)


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        server.workspace.add_user("carol@acme.example", "Carol Chen")
        server.workspace.add_channel("incidents")
        yield server
        assert server.workspace.violations == []


@pytest.fixture
def chat(slack: SlackServer) -> SlackChat:
    return SlackChat(slack.workspace.token, slack.url)


def test_a_room_opened_invited_posted_pinned_updated_and_archived(slack, chat):
    room = chat.open_room("inc-2026-09-25-42-checkout-down")
    carol = chat.user_for_email("carol@acme.example")
    assert carol is not None
    chat.invite(room, [carol])
    chat.invite(room, [carol])  # already in: no error
    ref = chat.post(room, SUMMARY)
    chat.pin(ref)
    chat.pin(ref)  # already pinned: no error
    chat.update(ref, ChatMessage(text="#42 Checkout down [P1, resolved]", heading="#42 Checkout down"))
    chat.archive(room)
    chat.archive(room)  # already archived: no error
    channel = slack.workspace.channels[room]
    assert channel.name == "inc-2026-09-25-42-checkout-down"
    assert carol in channel.members
    assert channel.pins == {ref.id}
    assert channel.messages[ref.id]["text"] == "#42 Checkout down [P1, resolved]"
    assert channel.archived


def test_the_announcement_goes_to_a_channel_by_name_and_comes_back_by_id(slack, chat):
    ref = chat.post("#incidents", ChatMessage(text="P1 #42 Checkout down"))
    assert ref.room == slack.workspace.channel_named("incidents").id
    chat.update(ref, ChatMessage(text="P1 #42 Checkout down · resolved"))
    assert slack.workspace.channels[ref.room].messages[ref.id]["text"] == "P1 #42 Checkout down · resolved"


def test_a_taken_name_is_name_taken(chat):
    chat.open_room("inc-1")
    with pytest.raises(NameTaken):
        chat.open_room("inc-1")


def test_unknown_people_are_none_and_every_answer_is_cached(slack, chat):
    assert chat.user_for_email("nobody@acme.example") is None
    assert chat.user_for_email("Carol@acme.example") == chat.user_for_email("carol@acme.example")
    chat.user_for_email("nobody@acme.example")
    assert len(slack.workspace.calls_of("users.lookupByEmail")) == 2


def test_a_rate_limited_call_waits_for_retry_after_and_goes_through(slack, chat):
    room = chat.open_room("inc-2")
    slack.workspace.throttle("chat.postMessage", 1)
    started = time.monotonic()
    ref = chat.post(room, ChatMessage(text="hello"))
    assert time.monotonic() - started >= 1.0
    assert ref.id in slack.workspace.channels[room].messages
    assert len(slack.workspace.calls_of("chat.postMessage")) == 2


def test_a_refusal_is_chat_failed_naming_slacks_error(slack):
    with pytest.raises(ChatFailed, match="invalid_auth"):
        SlackChat("xoxb-wrong", slack.url).open_room("inc-3")
    with pytest.raises(ChatFailed, match="not_in_channel"):
        chat = SlackChat(slack.workspace.token, slack.url)
        slack.workspace.add_channel("elsewhere", bot_member=False)
        chat.post("#elsewhere", ChatMessage(text="x"))


def test_an_unreachable_slack_is_chat_failed():
    with SlackServer() as server:
        url = server.url
    with pytest.raises(ChatFailed, match="could not be reached"):
        SlackChat("xoxb-klaxon-test", url).open_room("inc-4")


def test_history_pages_through_the_whole_room(slack, chat, monkeypatch):
    monkeypatch.setattr("klaxon.adapters.slack.HISTORY_PAGE", 2)
    room = chat.open_room("inc-5")
    posted = [chat.post(room, ChatMessage(text=f"m{i}")).id for i in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        page = chat.history(room, cursor)
        seen += [m.id for m in page.messages]
        if page.next is None:
            break
        cursor = page.next
    assert sorted(seen) == posted
    assert len(slack.workspace.calls_of("conversations.history")) == 3


def test_block_kit_escapes_markup_splits_fields_and_bounds_the_header():
    blocks = blocks_of(SUMMARY)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "#42 Checkout <down> & out"},
    }
    assert [len(b["fields"]) for b in blocks if "fields" in b] == [10, 2]
    assert blocks[-2]["text"]["text"] == "<https://grafana.example/d/1|Grafana / checkout>"
    assert blocks[-1] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "CLI: klaxon incidents show 42"}],
    }
    plain = blocks_of(ChatMessage(text="a <b> & c"))
    assert plain == [{"type": "section", "text": {"type": "mrkdwn", "text": "a &lt;b&gt; &amp; c"}}]
    long = blocks_of(ChatMessage(text="x", heading="h" * 200))
    assert len(long[0]["text"]["text"]) == 150


def test_the_fake_refuses_what_slacks_description_does_not_allow():
    assert check_call("chat.postMessage", "POST", {"text": "x"}, json_body=True) == [
        "chat.postMessage: required argument 'channel' is missing"
    ]
    assert check_call("conversations.create", "POST", {"name": "x", "colour": "red"}, json_body=False) == [
        "conversations.create: argument 'colour' is not described"
    ]
    assert check_call(
        "conversations.history", "POST", {"channel": "C1", "limit": "ten"}, json_body=False
    ) == ["conversations.history: limit='ten' is not a integer"]
    assert check_call("chat.delete", "POST", {}, json_body=False) == [
        "POST chat.delete is not described (described: no such method)"
    ]

"""SMS replies read as commands, and signed acknowledge links that expire and cannot be forged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.paging.ackcodes import (
    AckLink,
    AckLinkExpired,
    AckLinkInvalid,
    ReplyAction,
    SmsCommand,
    make_ack_token,
    parse_reply,
    read_ack_token,
)
from klaxon.domain.schedule.feeds import feed_token

SECRET = b"s" * 32
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ACK, RES = ReplyAction.ACKNOWLEDGE, ReplyAction.RESOLVE


def link(**changes: object) -> AckLink:
    fields: dict[str, object] = {
        "incident_id": "0f3c9a",
        "user": "alice",
        "expires_at": NOW + timedelta(hours=1),
    }
    return AckLink.model_validate(fields | changes)


@pytest.mark.parametrize(
    ("text", "action", "number"),
    [
        ("ack 123", ACK, 123),
        ("ACK 123", ACK, 123),
        ("Ack #123", ACK, 123),
        ("acknowledge 123", ACK, 123),
        ("ack123", ACK, 123),
        ("  ack 123  ", ACK, 123),
        ("ack 12 on it", ACK, 12),
        ("res 123", RES, 123),
        ("RESOLVE 123", RES, 123),
        ("res: 7", RES, 7),
        ("123", ACK, 123),
        ("#123.", ACK, 123),
    ],
)
def test_reply_is_read_as_a_command(text, action, number):
    assert parse_reply(text) == SmsCommand(action=action, number=number)


@pytest.mark.parametrize(
    "text", ["", "hello", "thanks!", "ack twelve", "12 is not mine", "STOP", "back 12", "12 13", "ack ack"]
)
def test_reply_that_is_no_command_is_none(text):
    assert parse_reply(text) is None


def test_a_token_reads_back_as_its_link():
    assert read_ack_token(SECRET, make_ack_token(SECRET, link()), NOW) == link()


@given(
    incident_id=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="|"),
        min_size=1,
        max_size=64,
    ),
    user=st.from_regex(r"[a-z0-9][a-z0-9._-]{0,63}", fullmatch=True),
)
def test_any_incident_and_user_round_trip_through_a_token(incident_id, user):
    original = link(incident_id=incident_id, user=user)
    assert read_ack_token(SECRET, make_ack_token(SECRET, original), NOW) == original


def test_a_token_is_url_safe():
    token = make_ack_token(SECRET, link(incident_id="é/?&=+ #"))
    assert all(c.isalnum() or c in "-_." for c in token)


def test_an_expired_token_says_so_and_what_it_was_for():
    token = make_ack_token(SECRET, link(expires_at=NOW))
    with pytest.raises(AckLinkExpired) as raised:
        read_ack_token(SECRET, token, NOW)
    assert raised.value.link.incident_id == "0f3c9a"


def test_a_token_signed_with_another_secret_is_invalid():
    with pytest.raises(AckLinkInvalid):
        read_ack_token(SECRET, make_ack_token(b"x" * 32, link()), NOW)


def test_a_token_with_a_changed_user_is_invalid():
    head, _, mac = make_ack_token(SECRET, link()).partition(".")
    forged = make_ack_token(b"x" * 32, link(user="mallory")).partition(".")[0]
    assert forged != head
    with pytest.raises(AckLinkInvalid):
        read_ack_token(SECRET, f"{forged}.{mac}", NOW)


def test_a_calendar_feed_token_is_not_an_ack_link_though_it_shares_the_secret():
    expiry = int((NOW + timedelta(days=1)).timestamp())
    with pytest.raises(AckLinkInvalid):
        read_ack_token(SECRET, feed_token(SECRET, "0f3c9a|alice", expiry), NOW)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "!!!.???", ".", "YQ.YQ", "YXxifGM.AAAA"])
def test_garbage_is_an_invalid_token(token):
    with pytest.raises(AckLinkInvalid):
        read_ack_token(SECRET, token, NOW)


def test_ids_with_the_separator_cannot_be_signed():
    with pytest.raises(ValueError, match="cannot contain"):
        make_ack_token(SECRET, link(user="alice|admin"))


@pytest.mark.parametrize(("text", "action"), [("ack", ACK), ("ACK.", ACK), (" res ", RES), ("resolve!", RES)])
def test_a_verb_alone_is_a_command_for_the_last_page_sent(text, action):
    assert parse_reply(text) == SmsCommand(action=action, number=None)

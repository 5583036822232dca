"""Pages by Slack direct message: the person found by email or member id, buttons that act on the page."""

from __future__ import annotations

import pytest

from klaxon.adapters.chat_pages import ChatPager
from klaxon.domain.incident.models import Priority
from klaxon.domain.paging.messages import chat_page
from klaxon.domain.paging.pages import DeliveryFailed, Page
from klaxon.domain.paging.policy import Channel
from tests.fakes.chat import MemoryChat


def a_page(address: str = "carol@acme.example", **changes: object) -> Page:
    fields: dict[str, object] = {
        "incident_id": "inc1",
        "incident_number": 42,
        "title": "Checkout   down\nhard",
        "service": "checkout",
        "priority": Priority.P1,
        "user": "carol",
        "user_name": "Carol Chen",
        "channel": Channel.SLACK,
        "address": address,
        "step": 1,
        "loop": 0,
        "runbook_url": "https://runbooks.example/checkout",
    }
    return Page(**{**fields, **changes})


def test_the_message_says_what_and_carries_acknowledge_resolve_escalate():
    message = chat_page(a_page())
    assert message.text == "Klaxon #42 P1 checkout: Checkout down hard"
    assert message.heading == "Paged: #42 Checkout down hard"
    assert [(f.label, f.value) for f in message.facts] == [
        ("Priority", "P1"),
        ("Service", "checkout"),
        ("Escalation step", "2"),
    ]
    assert [link.url for link in message.links] == ["https://runbooks.example/checkout"]
    assert [(a.name, a.value) for a in message.actions] == [
        ("acknowledge", "42"),
        ("resolve", "42"),
        ("escalate", "42"),
    ]
    drill = chat_page(a_page(drill=True, runbook_url="javascript:alert(1)"))
    assert drill.text.startswith("[DRILL] ") and drill.note == "DRILL: this incident is a fire drill."
    assert drill.links == ()


def test_the_person_is_found_by_email_or_member_id():
    chat = MemoryChat(users={"carol@acme.example": "UCAROL"})
    pager = ChatPager(chat)
    pager.send(a_page())
    pager.send(a_page("U0DIRECT1"))
    assert [room for room, _ in (args for method, args in chat.calls if method == "post")] == [
        "UCAROL",
        "U0DIRECT1",
    ]


def test_nobody_found_and_chat_failures_are_delivery_failures():
    chat = MemoryChat()
    with pytest.raises(DeliveryFailed, match=r"no Slack user has the email carol@acme\.example"):
        ChatPager(chat).send(a_page())
    chat = MemoryChat(users={"carol@acme.example": "UCAROL"}, fail={"post"})
    with pytest.raises(DeliveryFailed, match="slack: post failed"):
        ChatPager(chat).send(a_page())

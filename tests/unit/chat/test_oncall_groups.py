"""On-call user groups: exactly who is on call, written only when that changed."""

from __future__ import annotations

from datetime import UTC, datetime

from klaxon.services.chat.groups import OnCallGroups
from tests.fakes.chat import MemoryChat, MemoryChatRooms
from tests.fakes.memory import FixedClock

EMAILS = {"carol": "carol@acme.example", "dave": "dave@acme.example", "zed": "zed@x.example"}


class World:
    def __init__(self) -> None:
        self.chat = MemoryChat(users={"carol@acme.example": "UCAROL", "dave@acme.example": "UDAVE"})
        self.rooms = MemoryChatRooms()
        self.on_call = {"primary": ["carol"], "secondary": ["dave"]}
        self.groups = OnCallGroups(
            chat=self.chat,
            rooms=self.rooms,
            groups=lambda: {"primary": "S0PRIMARY", "secondary": "S0SECOND"},
            on_call=lambda schedule, at: self.on_call[schedule],
            emails=lambda: EMAILS,
            clock=FixedClock(datetime(2026, 12, 6, tzinfo=UTC)),
        )


def test_each_group_holds_who_is_on_call_and_is_written_only_on_a_change():
    world = World()
    assert world.groups.sync() == ["primary", "secondary"]
    assert world.chat.groups == {"S0PRIMARY": ["UCAROL"], "S0SECOND": ["UDAVE"]}
    assert world.groups.sync() == []  # nobody changed: nothing written
    world.on_call["primary"] = ["dave", "carol"]
    assert world.groups.sync("primary") == ["primary"]
    assert world.chat.groups["S0PRIMARY"] == ["UCAROL", "UDAVE"]
    assert [m for m in world.chat.methods() if m == "set_group"] == ["set_group"] * 3


def test_people_the_chat_does_not_know_are_left_out_and_an_empty_group_is_not_written():
    world = World()
    world.on_call["primary"] = ["zed", "carol"]
    world.on_call["secondary"] = ["zed"]
    assert world.groups.sync() == ["primary"]
    assert world.chat.groups == {"S0PRIMARY": ["UCAROL"]}

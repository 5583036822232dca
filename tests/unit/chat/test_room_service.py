"""The room service: which incidents get a room, what it holds, and that retries repeat nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from klaxon.domain.chat.messages import MessageRef
from klaxon.domain.chat.rooms import ChatFailed, ChatPolicy, ChatRoom, RoomBusy
from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import Incident, IncidentStatus, Link, Priority, Urgency
from klaxon.domain.runbooks.models import IncidentRunbook, RunbookSource
from klaxon.services.chat.rooms import ChatRoomService, Responder, RoomLinks
from tests.fakes.chat import MemoryChat, MemoryChatRooms
from tests.fakes.memory import FixedClock, MemoryIncidents, MemoryTimeline

OPENED = datetime(2026, 9, 25, 14, 3, tzinfo=UTC)


def an_incident(**changes: Any) -> Incident:
    fields: dict[str, Any] = {
        "id": "inc1",
        "number": 42,
        "title": "Checkout down",
        "service": "checkout",
        "priority": Priority.P1,
        "urgency": Urgency.HIGH,
        "status": IncidentStatus.TRIGGERED,
        "dedup_key": "k",
        "created_at": OPENED,
        "updated_at": OPENED,
        "links": [Link(href="https://grafana.example/d/checkout", text="Checkout dashboard")],
        "runbook": IncidentRunbook(
            url="https://runbooks.example/checkout",
            title="Checkout",
            source=RunbookSource.SERVICE,
            reason="r",
        ),
    }
    return Incident(**{**fields, **changes})


class World:
    def __init__(self, policy: ChatPolicy | None = None) -> None:
        self.chat = MemoryChat(users={"carol@acme.example": "UCAROL", "grace@acme.example": "UGRACE"})
        self.rooms = MemoryChatRooms()
        self.incidents = MemoryIncidents(MemoryTimeline())
        self.clock = FixedClock(OPENED + timedelta(seconds=5))
        self.policy = policy or ChatPolicy(members=("grace@acme.example",))
        self.on_call = [Responder("Carol Chen", "carol@acme.example")]
        self.on_call_asked = 0
        self.postmortems: set[str] = set()
        self.service = ChatRoomService(
            chat=self.chat,
            rooms=self.rooms,
            incidents=self.incidents,
            policy=lambda: self.policy,
            on_call=self._on_call,
            links=lambda incident: RoomLinks(
                incident_url=f"https://klaxon.example/v1/incidents/{incident.id}",
                status_page_url="https://status.example/incidents/p1.html",
            ),
            clock=self.clock,
            postmortem_exists=lambda incident_id: incident_id in self.postmortems,
        )

    def put(self, incident: Incident) -> Incident:
        self.incidents.items[incident.id] = incident
        return incident

    def _on_call(self, incident: Incident, now: datetime) -> list[Responder]:
        self.on_call_asked += 1
        return self.on_call


def test_a_p1_gets_a_named_room_with_on_call_and_members_a_pinned_summary_and_a_card():
    world = World()
    world.put(an_incident())
    room = world.service.sync("inc1")
    assert room is not None
    assert room.name == "inc-2026-09-25-42-checkout-down"
    assert world.chat.rooms == {room.room: "inc-2026-09-25-42-checkout-down"}
    assert world.chat.members[room.room] == ["UCAROL", "UGRACE"]
    summary_ref, runbook_ref = [ref for ref in world.chat.messages if ref.room == room.room]
    assert world.chat.pins == {summary_ref}
    runbook = world.chat.messages[runbook_ref]
    assert (runbook.text, runbook.links[0].url, runbook.note) == (
        "Runbook for #42: Checkout",
        "https://runbooks.example/checkout",
        "Why this one: r",
    )
    assert room.runbook_posted
    summary = world.chat.messages[summary_ref]
    facts = {f.label: f.value for f in summary.facts}
    assert facts["Status"] == "Triggered"
    assert facts["On call"] == "Carol Chen"
    assert facts["Service"] == "checkout"
    assert [link.url for link in summary.links] == [
        "https://grafana.example/d/checkout",
        "https://runbooks.example/checkout",
        "https://status.example/incidents/p1.html",
        "https://klaxon.example/v1/incidents/inc1",
    ]
    (card_ref,) = [ref for ref in world.chat.messages if ref.room == "ID#incidents"]
    assert world.chat.messages[card_ref].text == (
        "P1 #42 Checkout down · checkout · triggered · #inc-2026-09-25-42-checkout-down"
    )
    assert room.creating_until is None


def test_a_sync_asks_who_is_on_call_once_for_the_invitations_and_the_summary():
    world = World()
    world.put(an_incident())
    world.service.sync("inc1")  # opens the room: invites, renders
    world.service.sync("inc1")  # nothing new: invites and renders again, finding nothing to change
    assert world.on_call_asked == 2


def test_the_same_event_again_calls_nothing_but_lookups():
    world = World()
    world.put(an_incident())
    world.service.sync("inc1")
    world.chat.calls.clear()
    world.service.sync("inc1")
    assert set(world.chat.methods()) == {"user_for_email"}


def test_an_acknowledgement_updates_the_summary_and_card_in_place():
    world = World()
    world.put(an_incident())
    room = world.service.sync("inc1")
    assert room is not None
    world.put(
        an_incident(
            status=IncidentStatus.ACKNOWLEDGED,
            acknowledged_by="carol",
            acknowledged_at=OPENED + timedelta(minutes=2),
        )
    )
    world.chat.calls.clear()
    world.service.sync("inc1")
    assert [m for m in world.chat.methods() if m != "user_for_email"] == ["update", "update"]
    summary = world.chat.messages[MessageRef(room.room or "", room.summary or "")]
    assert {f.label: f.value for f in summary.facts}["Acknowledged"] == "carol at 2026-09-25 14:05 UTC"
    assert summary.text.endswith("[P1, acknowledged]")


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"priority": Priority.P3, "urgency": Urgency.LOW}, "a P3 is not in the chat priorities"),
        ({"drill": True}, "drills never get a room"),
        ({"status": IncidentStatus.RESOLVED}, "resolved before its first event was handled"),
    ],
)
def test_incidents_that_get_no_room(changes, why):
    world = World()
    world.put(an_incident(**changes))
    assert world.service.sync("inc1") is None, why
    assert world.chat.calls == []
    assert world.rooms.records == {}


def test_a_taken_name_gets_a_numeric_suffix():
    world = World()
    world.chat.rooms["Cold"] = "inc-2026-09-25-42-checkout-down"
    world.put(an_incident())
    room = world.service.sync("inc1")
    assert room is not None
    assert (room.name, room.attempt) == ("inc-2026-09-25-42-checkout-down-2", 1)


def test_a_room_being_opened_by_another_worker_is_left_to_it_until_its_lease_ends():
    world = World()
    world.put(an_incident())
    held = ChatRoom(incident_id="inc1", creating_until=world.clock.now() + timedelta(seconds=30))
    world.rooms.put(held, version=None)
    with pytest.raises(RoomBusy):
        world.service.sync("inc1")
    assert world.chat.calls == []
    world.clock.advance(seconds=31)
    room = world.service.sync("inc1")
    assert room is not None
    assert room.room is not None


def test_a_failure_after_the_room_was_made_resumes_without_a_second_room():
    world = World()
    world.put(an_incident())
    world.chat.fail = {"pin"}
    with pytest.raises(ChatFailed):
        world.service.sync("inc1")
    world.chat.fail = set()
    world.clock.advance(seconds=61)  # the failed worker's lease has ended
    room = world.service.sync("inc1")
    assert room is not None
    assert world.chat.methods().count("open_room") == 1
    assert len(world.chat.rooms) == 1
    assert world.chat.methods().count("invite") == 1
    assert world.chat.methods().count("post") == 3  # the summary, the runbook and the card, once each
    assert room.pinned
    assert world.chat.pins == {MessageRef(room.room or "", room.summary or "")}


def test_lost_record_writes_are_retried_from_what_is_read_next():
    world = World()
    world.put(an_incident())
    world.service.sync("inc1")
    world.put(an_incident(status=IncidentStatus.ACKNOWLEDGED, acknowledged_by="carol"))
    world.rooms.conflicts = 1
    room = world.service.sync("inc1")
    assert room is not None
    world.rooms.conflicts = 10
    world.put(an_incident(status=IncidentStatus.RESOLVED, resolved_by="carol", resolved_at=OPENED))
    with pytest.raises(Conflict):
        world.service.sync("inc1")


def test_people_the_workspace_does_not_know_are_noted_once():
    world = World()
    world.on_call = [Responder("Zed", "zed@acme.example"), Responder("Carol Chen", "carol@acme.example")]
    world.put(an_incident())
    world.service.sync("inc1")
    room = world.service.sync("inc1")
    assert room is not None
    assert room.notes == ["no chat user has the email zed@acme.example"]
    assert room.invited == ("UCAROL", "UGRACE")


def test_someone_newly_on_call_is_invited_at_the_next_change():
    world = World()
    world.put(an_incident())
    world.service.sync("inc1")
    world.chat.users["dave@acme.example"] = "UDAVE"
    world.on_call = [Responder("Dave", "dave@acme.example")]
    world.put(an_incident(alert_count=2))
    room = world.service.sync("inc1")
    assert room is not None
    assert room.invited == ("UCAROL", "UGRACE", "UDAVE")
    assert ("invite", (room.room, ("UDAVE",))) in world.chat.calls


def test_no_announcements_channel_means_no_card():
    world = World(ChatPolicy(announcements=None))
    world.put(an_incident())
    room = world.service.sync("inc1")
    assert room is not None
    assert room.card is None
    assert {ref.room for ref in world.chat.messages} == {room.room}


def resolved(world: World, priority: Priority = Priority.P1) -> ChatRoom:
    world.put(an_incident(priority=priority))
    world.service.sync("inc1")
    world.put(
        an_incident(
            priority=priority, status=IncidentStatus.RESOLVED, resolved_by="carol", resolved_at=OPENED
        )
    )
    room = world.service.sync("inc1")
    assert room is not None
    return room


def test_resolution_schedules_archiving_which_waits_for_the_post_mortem_of_a_p1():
    world = World()
    room = resolved(world)
    assert room.archive_at == OPENED + timedelta(days=7)
    world.clock.at = OPENED + timedelta(days=7, seconds=1)
    assert world.service.archive_due() == []
    world.postmortems.add("inc1")
    assert world.service.archive_due() == ["inc1"]
    assert world.chat.archived == {room.room}
    assert world.service.archive_due() == []
    assert world.service.sync("inc1") == world.rooms.records["inc1"][0]
    assert world.rooms.records["inc1"][0].archived


def test_a_room_of_a_priority_without_post_mortems_is_archived_on_time():
    world = World(
        ChatPolicy(priorities=frozenset({Priority.P3}), hold_for_postmortem=frozenset({Priority.P1}))
    )
    room = resolved(world, Priority.P3)
    world.clock.at = OPENED + timedelta(days=7) - timedelta(seconds=1)
    assert world.service.archive_due() == []
    world.clock.advance(seconds=2)
    assert world.service.archive_due() == ["inc1"]
    assert world.chat.archived == {room.room}


def test_the_view_is_the_record_and_its_messages():
    world = World()
    world.put(an_incident())
    assert world.service.view("inc1") == (None, world.chat.history("none"))
    world.service.sync("inc1")
    room, page = world.service.view("inc1")
    assert room is not None
    assert [m.text for m in page.messages] == [
        "#42 Checkout down [P1, triggered]",
        "Runbook for #42: Checkout",
    ]

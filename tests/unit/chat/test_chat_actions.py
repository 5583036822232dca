"""What chat users do: /klaxon commands as the API's actions, and messages captured into the timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from klaxon.domain.chat.commands import PendingUpdate, UsageError, parse
from klaxon.domain.chat.messages import ChatMessage, PostedMessage
from klaxon.domain.errors import Conflict, InvalidInput, NotFound
from klaxon.domain.incident.models import IncidentStatus, Priority, TimelineEntry
from klaxon.events import DetailType
from klaxon.services.chat.capture import TimelineCapture, message_time
from klaxon.services.chat.commands import ChatCommands
from klaxon.services.incident.declare import Declarations
from klaxon.services.incident.incidents import IncidentService
from klaxon.services.incident.router import RouterService
from klaxon.services.paging.control import EscalationControl
from klaxon.services.paging.policies import PoliciesAndPeople
from tests.fakes.chat import MemoryChat, MemoryChatRooms
from tests.fakes.memory import (
    CountingIds,
    FixedClock,
    MemoryIncidents,
    MemoryNotifications,
    MemoryPayloads,
    MemoryTimeline,
)
from tests.unit.chat.test_room_service import an_incident
from tests.unit.test_escalation_service import DEFAULT, person


class RecordingStatusPage:
    def __init__(self) -> None:
        self.posted: list[tuple[str, str, str | None, str | None]] = []

    def post_update(self, incident_id: str, status: Any, text: str | None = None, **values: Any) -> None:
        self.posted.append((incident_id, str(status), text, values.get("actor")))


class World:
    def __init__(self) -> None:
        self.timeline = MemoryTimeline()
        self.incidents = MemoryIncidents(self.timeline)
        self.incidents.items["inc1"] = an_incident()
        self.rooms = MemoryChatRooms()
        self.rooms.index("C1", "inc1")
        self.statuspage = RecordingStatusPage()
        self.clock = FixedClock()
        self.chat = MemoryChat(users={"carol@acme.example": "UCAROL"})
        actor = lambda user: {"UCAROL": "carol", "UDAVE": "dave"}.get(user, f"slack:{user}")  # noqa: E731
        directory = PoliciesAndPeople(
            policies={"default": DEFAULT},
            service_policy={"checkout": "default", "payments": "default"},
            people={u: person(u) for u in ["carol", "dave"]},
        )
        incidents = IncidentService(self.incidents, self.timeline, self.clock)
        router = RouterService(
            incidents=self.incidents,
            timeline=self.timeline,
            payloads=MemoryPayloads(),
            clock=self.clock,
            ids=CountingIds(),
        )
        self.commands = ChatCommands(
            incidents=incidents,
            statuspage=self.statuspage,  # type: ignore[arg-type]
            control=EscalationControl(
                self.incidents, MemoryNotifications(self.incidents), lambda: directory, self.clock
            ),
            declarations=Declarations(router, incidents, lambda: directory, self.clock, CountingIds()),
            rooms=self.rooms,
            timeline=self.timeline,
            actor_of=actor,
            clock=self.clock,
        )
        self.capture = TimelineCapture(
            chat=self.chat, rooms=self.rooms, timeline=self.timeline, actor_of=actor
        )

    def run(self, text: str, room: str = "C1", user: str = "UCAROL") -> Any:
        return self.commands.run(parse(text), room, user)


def test_ack_and_resolve_are_the_apis_with_the_chat_user_as_actor():
    world = World()
    reply = world.run("ack")
    assert (reply.public, reply.text) == (True, "carol acknowledged #42 Checkout down (acknowledged).")
    assert world.incidents.items["inc1"].acknowledged_by == "carol"
    reply = world.run("resolve #42 rolled back", room="elsewhere", user="UOTHER")
    assert reply.text == "slack:UOTHER resolved #42 Checkout down. rolled back"
    assert world.incidents.items["inc1"].status is IncidentStatus.RESOLVED
    (note,) = [e for e in world.timeline.entries if e.kind == "note"]
    assert (note.message, note.actor, note.source) == ("Resolution: rolled back", "slack:UOTHER", "slack")


def test_a_status_update_is_proposed_then_posted_when_confirmed():
    world = World()
    reply = world.run("status monitoring fix deployed")
    assert reply.public is False
    assert reply.confirm == PendingUpdate("inc1", "monitoring", "fix deployed")
    assert world.statuspage.posted == []
    done = world.commands.confirm_status(reply.confirm, "UCAROL")
    assert world.statuspage.posted == [("inc1", "monitoring", "fix deployed", "carol")]
    assert done.public


def test_note_runbook_and_timeline_answer_only_their_author():
    world = World()
    assert world.run("note pool at 100%").public is False
    assert world.run("runbook").text == (
        "Runbook for #42 Checkout down: <https://runbooks.example/checkout|Checkout> (r)"
    )
    assert world.run("timeline").text.endswith("note by carol: pool at 100%")


def test_timeline_shows_the_newest_entries_of_a_war_room_past_500_messages():
    world = World()
    opened = world.incidents.items["inc1"].created_at
    for n in range(600):
        world.timeline.add(
            TimelineEntry(
                subject="inc1",
                at=opened + timedelta(seconds=n),
                kind="chat message",
                actor="dave",
                message=f"m{n}",
            )
        )
    lines = world.run("timeline").text.splitlines()
    assert [line.rsplit(": ", 1)[1] for line in lines[1:]] == [f"m{n}" for n in range(590, 600)]


def test_changes_shows_the_services_latest_change_events_as_written():
    world = World()
    assert world.run("changes").text.startswith("No change event was sent for checkout")
    opened = world.incidents.items["inc1"].created_at
    for n in range(7):
        world.timeline.add(
            TimelineEntry(
                subject="service:checkout",
                at=opened - timedelta(hours=7 - n),
                kind="change",
                actor="integration:ci",
                message=f"deployed v{n} <!channel> & more",
                data={"links": [{"href": f"https://ci.example/{n}"}, {"href": "https://x|<!here>"}]},
            )
        )
    lines = world.run("changes").text.splitlines()
    assert lines[0] == "Latest changes to checkout, newest first:"
    assert len(lines) == 6 and "deployed v6" in lines[1] and "deployed v2" in lines[5]
    assert lines[1].endswith(": deployed v6 &lt;!channel&gt; &amp; more <https://ci.example/6>")


def test_an_unnamed_incident_outside_a_room_and_an_unknown_number_are_refused():
    world = World()
    with pytest.raises(UsageError, match="no incident's"):
        world.run("ack", room="general")
    with pytest.raises(NotFound, match="no incident #7"):
        world.run("ack #7")


def message(ts: str, text: str = "Rolling back", author: str = "UCAROL") -> PostedMessage:
    return PostedMessage(id=ts, author=author, text=text, at_epoch=float(ts))


def test_a_message_is_one_entry_however_often_it_is_marked_with_its_own_time_and_author():
    world = World()
    assert world.capture.capture("C1", message("1796500000.000100"), "pinned")
    assert world.capture.capture("C1", message("1796500000.000100"), "reaction")
    (entry,) = world.timeline.entries
    assert (entry.at, entry.actor, entry.source) == (message_time("1796500000.000100"), "carol", "slack")
    assert entry.data == {"room": "C1", "message": "1796500000.000100", "how": "reaction"}
    assert not world.capture.capture("C9", message("1796500000.000200"), "pinned")  # no incident's room


def test_edits_rewrite_only_captured_messages_and_deletes_remove_them():
    world = World()
    world.capture.capture("C1", message("1796500000.000100"), "pinned")
    assert world.capture.edited("C1", message("1796500000.000100", "Rolled back"))
    assert not world.capture.edited("C1", message("1796500000.000300", "never captured"))
    (entry,) = world.timeline.entries
    assert (entry.message, entry.data["edited"], entry.data["how"]) == ("Rolled back", True, "pinned")
    assert world.capture.deleted("C1", "1796500000.000100")
    assert world.timeline.entries == []


def test_a_reaction_fetches_the_message_it_names():
    world = World()
    ref = world.chat.post("C1", ChatMessage(text="hi"))
    assert world.capture.capture_by_id("C1", ref.id, "reaction")
    assert not world.capture.capture_by_id("C1", "999.000000", "reaction")  # gone
    assert [e.message for e in world.timeline.entries] == ["hi"]


def test_sev_and_role_change_the_incident_with_a_timeline_entry_and_an_update_event():
    world = World()
    assert world.run("sev P3").text == "carol set #42 Checkout down to P3."
    assert (
        world.run("role commander <@UDAVE|dave>").text
        == "dave is now commander of #42 Checkout down (set by carol)."
    )
    incident = world.incidents.items["inc1"]
    assert (incident.priority, incident.roles) == (Priority.P3, {"commander": "dave"})
    kinds = [(e.kind, e.message) for e in world.timeline.entries]
    assert kinds == [
        ("priority changed", "Priority P1 -> P3 by carol"),
        ("role assigned", "dave is commander (set by carol)"),
    ]
    assert [(t, d.reason) for t, d in world.incidents.outbox] == [
        (DetailType.INCIDENT_UPDATED, "priority changed"),
        (DetailType.INCIDENT_UPDATED, "role assigned"),
    ]
    world.run("role commander <@UDAVE>")  # again: nothing changes, nothing is published
    assert len(world.incidents.outbox) == 2


def test_page_hands_a_triggered_incident_to_a_klaxon_user_or_a_policy():
    world = World()
    assert world.run("page <@UDAVE>").text == "carol handed the paging of #42 Checkout down to dave."
    assert world.incidents.items["inc1"].escalation_policy == "user:dave"
    with pytest.raises(NotFound, match="no Klaxon user"):
        world.run("page <@UNOBODY>")
    with pytest.raises(NotFound, match="no escalation policy"):
        world.run("page nosuchpolicy")


def test_declare_opens_an_incident_whose_commander_is_its_declarer():
    world = World()
    reply = world.commands.run(
        parse("declare Payments slow --service payments --sev P1"), "anywhere", "UCAROL"
    )
    (declared,) = [i for i in world.incidents.items.values() if i.id != "inc1"]
    assert (declared.title, declared.service, declared.priority) == ("Payments slow", "payments", Priority.P1)
    assert declared.roles == {"commander": "carol"}
    assert reply.text == f"carol declared #{declared.number} Payments slow (P1, payments)."
    with pytest.raises(InvalidInput, match="name the service"):
        world.commands.run(parse("declare Something"), "anywhere", "UCAROL")
    with pytest.raises(NotFound, match="no service 'nope'"):
        world.commands.run(parse("declare Something --service nope"), "anywhere", "UCAROL")


def test_a_resolved_incident_keeps_its_priority_and_roles():
    world = World()
    world.run("resolve")
    with pytest.raises(Conflict, match="is resolved"):
        world.run("sev P2")
    with pytest.raises(InvalidInput, match="no role"):
        world.commands.incidents.assign_role("inc1", "boss", "carol", "carol")

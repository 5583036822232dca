"""What `/klaxon` does: each command is the same action as the API's, with the chat user as the actor.

A status page update is public, so it is only proposed (`Reply.confirm`) and posted when its author
confirms it (`confirm_status`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from klaxon.domain.chat.commands import USAGE, Command, UsageError
from klaxon.domain.errors import NotFound
from klaxon.domain.incident.models import Incident, TimelineEntry
from klaxon.domain.statuspage.models import PublicStatus
from klaxon.ports import ChatRooms, Clock, IncidentQuery, TimelineRepository
from klaxon.services.incident.incidents import IncidentService
from klaxon.services.statuspage.public_incidents import StatusPageService

TIMELINE_SHOWN = 10
SOURCE = "slack"


@dataclass(frozen=True)
class PendingUpdate:
    """A status page update waiting for its author's confirmation (carried by the confirm button)."""

    incident_id: str
    status: str
    text: str | None


@dataclass(frozen=True)
class Reply:
    text: str
    public: bool = False  # shown to the channel; else only to the person who typed the command
    confirm: PendingUpdate | None = None


@dataclass
class ChatCommands:
    incidents: IncidentService
    statuspage: StatusPageService
    rooms: ChatRooms
    timeline: TimelineRepository
    actor_of: Callable[[str], str]  # a chat user id -> the actor recorded ("carol", or "slack:U123")
    clock: Clock

    def run(self, command: Command, room: str, user: str) -> Reply:
        """Do what `command` says, for `user`, typed in `room`. UsageError when it names no incident."""
        if command.name == "help":
            return Reply(USAGE)
        incident = self._incident(command.number, room)
        actor = self.actor_of(user)
        label = f"#{incident.number} {incident.title}"
        if command.name == "ack":
            done = self.incidents.acknowledge(incident.id, actor)
            return Reply(f"{actor} acknowledged {label} ({done.status}).", public=True)
        if command.name == "resolve":
            if command.text:
                self._note(incident, actor, f"Resolution: {command.text}")
            self.incidents.resolve(incident.id, actor)
            return Reply(
                f"{actor} resolved {label}." + (f" {command.text}" if command.text else ""), public=True
            )
        if command.name == "note":
            assert command.text is not None
            self._note(incident, actor, command.text)
            return Reply(f"Noted on the timeline of {label}: {command.text}")
        if command.name == "runbook":
            runbook = incident.runbook
            if runbook is None:
                return Reply(f"{label} has no runbook. Add one for its service (docs/runbooks.md).")
            return Reply(
                f"Runbook for {label}: <{runbook.url}|{runbook.title or runbook.url}> ({runbook.reason})"
            )
        if command.name == "timeline":
            entries = self.incidents.history(incident.id)[-TIMELINE_SHOWN:]
            lines = [f"{e.at:%H:%M:%S} {e.kind} by {e.actor}: {e.message}" for e in entries]
            return Reply(f"Latest timeline of {label}:\n" + "\n".join(lines))
        assert command.status is not None
        pending = PendingUpdate(incident.id, command.status, command.text)
        shown = command.text or "the status's template"
        return Reply(
            f"Post this to the public status page for {label}? *{command.status}*: {shown}", confirm=pending
        )

    def confirm_status(self, pending: PendingUpdate, user: str) -> Reply:
        """Post a confirmed status page update; its author's name goes on the incident's timeline."""
        incident = self.incidents.get(pending.incident_id)
        actor = self.actor_of(user)
        self.statuspage.post_update(incident.id, PublicStatus(pending.status), pending.text)
        self._note(
            incident, actor, f"Status page: {pending.status}" + (f": {pending.text}" if pending.text else "")
        )
        return Reply(
            f"{actor} posted a status page update for #{incident.number}: {pending.status}.", public=True
        )

    def _incident(self, number: int | None, room: str) -> Incident:
        if number is None:
            incident_id = self.rooms.incident_of_room(room)
            if incident_id is None:
                raise UsageError("this channel is no incident's: name one, e.g. `#42`.")
            return self.incidents.get(incident_id)
        found = self.incidents.find(IncidentQuery(number=number, limit=1)).incidents
        if not found:
            raise NotFound(f"there is no incident #{number}")
        return found[0]

    def _note(self, incident: Incident, actor: str, text: str) -> None:
        entry = TimelineEntry(
            subject=incident.id, at=self.clock.now(), kind="note", actor=actor, message=text, source=SOURCE
        )
        self.timeline.add(entry)

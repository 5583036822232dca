"""What `/klaxon` does: each command is the same action as the API's, with the chat user as the actor.

A status page update is public, so it is only proposed (`Reply.confirm`) and posted when its author
confirms it (`confirm_status`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from klaxon.domain.chat.commands import USAGE, Command, PendingUpdate, Reply, UsageError
from klaxon.domain.chat.messages import literal
from klaxon.domain.errors import NotFound
from klaxon.domain.incident.models import Incident, TimelineEntry, changes_subject, web_links
from klaxon.domain.statuspage.models import PublicStatus
from klaxon.ports import ChatRooms, Clock, IncidentQuery, TimelineRepository
from klaxon.services.incident.declare import Declarations
from klaxon.services.incident.incidents import IncidentService
from klaxon.services.paging.control import EscalationControl
from klaxon.services.statuspage.public_incidents import StatusPageService

TIMELINE_SHOWN = 10
CHANGES_SHOWN = 5
SOURCE = "slack"
UNKNOWN_PREFIX = "slack:"  # the actor of a chat user no Klaxon user shares an email with


def _label(incident: Incident) -> str:
    return f"#{incident.number} {incident.title}"


@dataclass
class ChatCommands:
    incidents: IncidentService
    statuspage: StatusPageService
    control: EscalationControl
    declarations: Declarations
    rooms: ChatRooms
    timeline: TimelineRepository
    actor_of: Callable[[str], str]  # a chat user id -> the actor recorded ("carol", or "slack:U123")
    clock: Clock

    def run(self, command: Command, room: str, user: str) -> Reply:
        """Do what `command` says, for `user`, typed in `room`. UsageError when it names no incident."""
        if command.name == "help":
            return Reply(USAGE)
        actor = self.actor_of(user)
        if command.name == "declare":
            return self._declare(command, actor)
        incident = self._incident(command.number, room)
        act = getattr(self, f"_{command.name}")
        reply: Reply = act(command, incident, actor)
        return reply

    def confirm_status(self, pending: PendingUpdate, user: str) -> Reply:
        """Post a confirmed status page update (the status page puts it, with its author, on the timeline)."""
        incident = self.incidents.get(pending.incident_id)
        actor = self.actor_of(user)
        self.statuspage.post_update(incident.id, PublicStatus(pending.status), pending.text, actor=actor)
        return Reply(
            f"{actor} posted a status page update for #{incident.number}: {pending.status}.", public=True
        )

    # --- one method per command -----------------------------------------------------------------------

    def _declare(self, command: Command, actor: str) -> Reply:
        assert command.text is not None
        incident = self.declarations.declare(
            command.text, actor, service=command.service, priority=command.priority
        )
        return Reply(
            f"{actor} declared {_label(incident)} ({incident.priority}, {incident.service}).", public=True
        )

    def _ack(self, command: Command, incident: Incident, actor: str) -> Reply:
        done = self.incidents.acknowledge(incident.id, actor)
        return Reply(f"{actor} acknowledged {_label(incident)} ({done.status}).", public=True)

    def _resolve(self, command: Command, incident: Incident, actor: str) -> Reply:
        if command.text:
            self._add_note(incident, actor, f"Resolution: {command.text}")
        self.incidents.resolve(incident.id, actor)
        summary = f" {command.text}" if command.text else ""
        return Reply(f"{actor} resolved {_label(incident)}.{summary}", public=True)

    def _escalate(self, command: Command, incident: Incident, actor: str) -> Reply:
        self.control.escalate_now(incident.id, actor)
        return Reply(f"{actor} escalated {_label(incident)}: its next step is paged now.", public=True)

    def _sev(self, command: Command, incident: Incident, actor: str) -> Reply:
        assert command.priority is not None
        self.incidents.set_priority(incident.id, command.priority, actor)
        return Reply(f"{actor} set {_label(incident)} to {command.priority}.", public=True)

    def _role(self, command: Command, incident: Incident, actor: str) -> Reply:
        assert command.role is not None and command.user is not None
        holder = self.actor_of(command.user)
        self.incidents.assign_role(incident.id, command.role, holder, actor)
        return Reply(f"{holder} is now {command.role} of {_label(incident)} (set by {actor}).", public=True)

    def _page(self, command: Command, incident: Incident, actor: str) -> Reply:
        user = None
        if command.user is not None:
            user = self.actor_of(command.user)
            if user.startswith(UNKNOWN_PREFIX):
                raise NotFound("no Klaxon user has that person's email: they cannot be paged")
        self.control.reassign(incident.id, user=user, policy=command.policy, actor=actor)
        return Reply(
            f"{actor} handed the paging of {_label(incident)} to {user or command.policy}.", public=True
        )

    def _add_note(self, incident: Incident, actor: str, text: str) -> None:
        entry = TimelineEntry(
            subject=incident.id, at=self.clock.now(), kind="note", actor=actor, message=text, source=SOURCE
        )
        self.timeline.add(entry)

    def _note(self, command: Command, incident: Incident, actor: str) -> Reply:
        assert command.text is not None
        self._add_note(incident, actor, command.text)
        return Reply(f"Noted on the timeline of {_label(incident)}: {command.text}")

    def _runbook(self, command: Command, incident: Incident, actor: str) -> Reply:
        runbook = incident.runbook
        if runbook is None:
            return Reply(f"{_label(incident)} has no runbook. Add one for its service (docs/runbooks.md).")
        link = f"<{runbook.url}|{runbook.title or runbook.url}>"
        return Reply(f"Runbook for {_label(incident)}: {link} ({runbook.reason})")

    def _timeline(self, command: Command, incident: Incident, actor: str) -> Reply:
        entries = self.incidents.latest_history(incident.id, TIMELINE_SHOWN)
        lines = [f"{e.at:%H:%M:%S} {e.kind} by {e.actor}: {e.message}" for e in entries]
        return Reply(f"Latest timeline of {_label(incident)}:\n" + "\n".join(lines))

    def _changes(self, command: Command, incident: Incident, actor: str) -> Reply:
        """The service's latest change events, newest first, each with its links: "what changed?"."""
        latest = self.timeline.page(changes_subject(incident.service), None, CHANGES_SHOWN, newest_first=True)
        if not latest.entries:
            return Reply(f"No change event was sent for {incident.service} (`POST /v2/change/enqueue`).")
        lines = [
            f"{e.at:%Y-%m-%d %H:%M} UTC {literal(e.actor)}: {literal(e.message)}"
            + "".join(f" <{href}>" for href in web_links(e.data.get("links")))
            for e in latest.entries
        ]
        return Reply(f"Latest changes to {incident.service}, newest first:\n" + "\n".join(lines))

    def _status(self, command: Command, incident: Incident, actor: str) -> Reply:
        assert command.status is not None
        pending = PendingUpdate(incident.id, command.status, command.text)
        shown = command.text or "the status's template"
        text = f"Post this to the public status page for {_label(incident)}? *{command.status}*: {shown}"
        return Reply(text, confirm=pending)

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

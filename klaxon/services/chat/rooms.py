"""Each significant incident's room: opened when it triggers, its pinned summary and announcement card kept
current on every change, archived a while after it resolves.

Events arrive at least once and in any order, so every step is recorded in the room's versioned record
once done, and each run re-reads the incident: a retried or late event repeats nothing already done and
renders what is true now. Only opening the room (create, summary, pin, card) is held by one worker at a
time (a lease in the record); updates from concurrent workers converge because the loser of the record's
conditional write renders again from what it reads next.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.chat.messages import ChatMessage, Fact, HistoryPage, MessageRef
from klaxon.domain.chat.names import room_name
from klaxon.domain.chat.rooms import CREATE_LEASE, ChatPolicy, ChatRoom, NameTaken, RoomBusy
from klaxon.domain.chat.summary import SummaryContext, card_of, runbook_message, summary_of
from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import Incident, IncidentStatus
from klaxon.ports import Chat, ChatRooms, Clock, IncidentRepository

log = logging.getLogger(__name__)

MAX_ROUNDS = 5  # conditional-write losses in a row before giving the event back to be retried
MAX_NAME_ATTEMPTS = 50


@dataclass(frozen=True)
class Responder:
    name: str
    email: str


@dataclass(frozen=True)
class RoomLinks:
    incident_url: str | None = None
    status_page_url: str | None = None


def _digest(message: ChatMessage) -> str:
    return hashlib.sha256(repr(message).encode()).hexdigest()[:16]


@dataclass
class ChatRoomService:
    chat: Chat
    rooms: ChatRooms
    incidents: IncidentRepository
    policy: Callable[[], ChatPolicy]
    on_call: Callable[[Incident, datetime], Sequence[Responder]]  # whom the policy pages first, now
    links: Callable[[Incident], RoomLinks]
    clock: Clock
    postmortem_exists: Callable[[str], bool] = lambda _incident_id: False
    facts: Callable[[Incident], Sequence[Fact]] = lambda _incident: ()  # more summary lines (SLA budgets)

    def sync(self, incident_id: str) -> ChatRoom | None:
        """Bring the incident's room up to date with the incident: open it if it should have one, invite
        who is on call, update its summary and card, schedule its archiving once resolved.

        RoomBusy when another worker is opening it (the event is retried); Conflict after MAX_ROUNDS lost
        writes in a row."""
        for _ in range(MAX_ROUNDS):
            try:
                return self._sync_once(incident_id)
            except (RoomBusy, NameTaken):  # conflicts, but not with our own write: retrying cannot help
                raise
            except Conflict:
                continue
        raise Conflict(f"the room of {incident_id} kept changing under us")

    def _sync_once(self, incident_id: str) -> ChatRoom | None:
        now = self.clock.now()
        incident = self.incidents.get(incident_id)
        if incident is None:
            return None
        found = self.rooms.get(incident_id)
        if found is None:
            if incident.status is IncidentStatus.RESOLVED:
                return None
            if not self.policy().wants_room(incident.priority, incident.drill):
                return None
            room, version = ChatRoom(incident_id=incident_id), None
        else:
            room, version = found
        if room.archived:
            return room
        on_call = self.on_call(incident, now)  # asked once a sync: opening, inviting and the summary use it
        if room.room is None or version is None:
            room, version = self._open(room, version, incident, now, on_call)
        room, version = self._invite(room, version, incident, on_call)
        room, version = self._render(room, version, incident, on_call)
        room, version = self._post_runbook(room, version, incident)
        return self._schedule_archive(room, version, incident)

    # --- opening ------------------------------------------------------------------------------------

    def _open(
        self,
        room: ChatRoom,
        version: int | None,
        incident: Incident,
        now: datetime,
        on_call: Sequence[Responder],
    ) -> tuple[ChatRoom, int]:
        """Create the room, post and pin its summary, post its card: under a lease, recording each."""
        if room.creation_held(now):
            raise RoomBusy(f"the room of {incident.id} is being opened until {room.creating_until}")
        room = room.model_copy(update={"creating_until": now + CREATE_LEASE})
        version = self.rooms.put(room, version=version)
        for attempt in range(room.attempt, room.attempt + MAX_NAME_ATTEMPTS):
            name = room_name(incident.number, incident.title, incident.created_at.date(), attempt)
            try:
                opened = self.chat.open_room(name)
            except NameTaken:
                continue
            room = room.model_copy(
                update={"name": name, "room": opened, "attempt": attempt, "opened_at": now}
            )
            break
        else:
            raise NameTaken(f"no free room name for incident {incident.number} in {MAX_NAME_ATTEMPTS} tries")
        version = self.rooms.put(room, version=version)
        self.rooms.index(opened, incident.id)
        room, version = self._invite(room, version, incident, on_call)
        room, version = self._render(room, version, incident, on_call)
        room, version = self._post_runbook(room, version, incident)
        room = room.model_copy(update={"creating_until": None})
        return room, self.rooms.put(room, version=version)

    def _invite(
        self, room: ChatRoom, version: int, incident: Incident, on_call: Sequence[Responder]
    ) -> tuple[ChatRoom, int]:
        """Invite whoever is on call now and the standing members, each once."""
        assert room.room is not None
        emails = [r.email for r in on_call] + list(self.policy().members)
        wanted: list[str] = []
        notes = list(room.notes)
        for email in dict.fromkeys(emails):
            user = self.chat.user_for_email(email)
            if user is None:
                note = f"no chat user has the email {email}"
                if note not in notes:
                    notes.append(note)
            elif user not in room.invited and user not in wanted:
                wanted.append(user)
        if not wanted and notes == room.notes:
            return room, version
        if wanted:
            self.chat.invite(room.room, wanted)
        room = room.model_copy(update={"invited": (*room.invited, *wanted), "notes": notes})
        return room, self.rooms.put(room, version=version)

    # --- keeping it current ---------------------------------------------------------------------------

    def _render(
        self, room: ChatRoom, version: int, incident: Incident, on_call: Sequence[Responder]
    ) -> tuple[ChatRoom, int]:
        """Post (and pin) or update the summary, and post or update the card, where they changed."""
        where = room.room
        assert where is not None
        links = self.links(incident)
        context = SummaryContext(
            on_call=[r.name for r in on_call],
            room_name=room.name,
            incident_url=links.incident_url,
            status_page_url=links.status_page_url,
            facts=tuple(self.facts(incident)),
        )
        summary = summary_of(incident, context)
        changes: dict[str, object] = {}
        if room.summary is None:
            ref = self.chat.post(where, summary)
            room = room.model_copy(update={"summary": ref.id, "summary_digest": _digest(summary)})
            version = self.rooms.put(room, version=version)  # posted once, even if the pin fails
        if not room.pinned:
            self.chat.pin(MessageRef(where, room.summary or ""))
            changes["pinned"] = True
        if room.summary_digest != _digest(summary):
            self.chat.update(MessageRef(where, room.summary or ""), summary)
            changes["summary_digest"] = _digest(summary)
        announcements = self.policy().announcements
        card = card_of(incident, room.name)
        if announcements and room.card is None:
            ref = self.chat.post(announcements, card)
            room = room.model_copy(
                update={"card_room": ref.room, "card": ref.id, "card_digest": _digest(card)}
            )
            version = self.rooms.put(room, version=version)  # posted once, whatever happens next
        elif room.card is not None and room.card_room and room.card_digest != _digest(card):
            self.chat.update(MessageRef(room.card_room, room.card), card)
            changes["card_digest"] = _digest(card)
        if not changes:
            return room, version
        room = room.model_copy(update=changes)
        return room, self.rooms.put(room, version=version)

    def _post_runbook(self, room: ChatRoom, version: int, incident: Incident) -> tuple[ChatRoom, int]:
        message = runbook_message(incident)
        if message is None or room.runbook_posted or room.room is None:
            return room, version
        self.chat.post(room.room, message)
        room = room.model_copy(update={"runbook_posted": True})
        return room, self.rooms.put(room, version=version)

    def _schedule_archive(self, room: ChatRoom, version: int, incident: Incident) -> ChatRoom:
        if incident.status is not IncidentStatus.RESOLVED or room.archive_at is not None:
            return room
        resolved = incident.resolved_at or self.clock.now()
        room = room.model_copy(update={"archive_at": resolved + self.policy().archive_after})
        self.rooms.put(room, version=version)
        return room

    # --- reading ------------------------------------------------------------------------------------

    def view(self, incident_id: str, cursor: str | None = None) -> tuple[ChatRoom | None, HistoryPage]:
        """The incident's room record (None: it has none) and a page of its messages."""
        found = self.rooms.get(incident_id)
        if found is None or found[0].room is None:
            return None, HistoryPage()
        return found[0], self.chat.history(found[0].room, cursor)

    # --- archiving ------------------------------------------------------------------------------------

    def archive_due(self) -> list[str]:
        """Archive every room whose time has come, except those whose incident's priority must have a
        post-mortem first and has none yet; the ids of the incidents whose rooms were archived."""
        now = self.clock.now()
        held = self.policy().hold_for_postmortem
        archived: list[str] = []
        for room in self.rooms.due_for_archive(now):
            incident = self.incidents.get(room.incident_id)
            if incident is not None and incident.priority in held and not self.postmortem_exists(incident.id):
                continue
            found = self.rooms.get(room.incident_id)
            if found is None:
                continue
            current, version = found
            if current.archived or current.room is None:
                continue
            self.chat.archive(current.room)
            try:
                self.rooms.put(current.model_copy(update={"archived": True}), version=version)
            except Conflict:
                log.info("room of %s changed while archiving; archived anyway", room.incident_id)
            archived.append(room.incident_id)
        return archived

"""Reminders in an incident's room to post a status update: when its priority's interval (P1: 30 minutes,
P2: 60 by default) passed since the last public update (or since the room opened, the last reminder, or
a snooze), the room is told so, with a Snooze button: the next reminder comes one interval after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from klaxon.domain.chat.messages import ChatAction, ChatMessage
from klaxon.domain.chat.rooms import ChatPolicy, ChatRoom
from klaxon.domain.errors import Conflict, NotFound
from klaxon.ports import Chat, ChatRooms, Clock, IncidentRepository

SNOOZE = "snooze"


def _minutes(interval: timedelta) -> int:
    return int(interval.total_seconds() // 60)


@dataclass
class ChatReminders:
    chat: Chat
    rooms: ChatRooms
    incidents: IncidentRepository
    policy: Callable[[], ChatPolicy]
    last_public_update: Callable[[str], datetime | None]  # the incident's latest status page update
    clock: Clock

    def remind_due(self) -> list[str]:
        """Remind every open room whose incident went a whole interval without a public update; the ids
        of the incidents reminded."""
        now, intervals = self.clock.now(), self.policy().reminders
        reminded: list[str] = []
        for room in self.rooms.open_rooms():
            incident = self.incidents.get(room.incident_id)
            if incident is None or not incident.status.is_open or room.room is None:
                continue
            interval = intervals.get(incident.priority)
            if interval is None or now - self._since(room) < interval:
                continue
            found = self.rooms.get(room.incident_id)
            if found is None or found[0] != room:
                continue  # changed meanwhile: the next run decides again
            text = (
                f"No status update for {_minutes(interval)} minutes. Post one: "
                "`/klaxon status identified|monitoring|resolved <message>`."
            )
            snooze = ChatAction(SNOOZE, f"Snooze {_minutes(interval)} min", room.incident_id)
            self.chat.post(room.room, ChatMessage(text=text, actions=(snooze,)))
            try:
                self.rooms.put(room.model_copy(update={"reminded_at": now}), version=found[1])
            except Conflict:
                continue  # posted; the record shows it at the next run's own reminder at worst
            reminded.append(room.incident_id)
        return reminded

    def snooze(self, incident_id: str) -> timedelta:
        """The room's next reminder one interval of its incident's priority from now."""
        incident = self.incidents.get(incident_id)
        found = self.rooms.get(incident_id)
        if incident is None or found is None:
            raise NotFound(f"incident {incident_id} has no room")
        interval = self.policy().reminders.get(incident.priority, timedelta(minutes=30))
        room, version = found
        self.rooms.put(room.model_copy(update={"snoozed_at": self.clock.now()}), version=version)
        return interval

    def _since(self, room: ChatRoom) -> datetime:
        """When the room last heard about the public status, or was reminded or snoozed."""
        marks = [room.opened_at, room.reminded_at, room.snoozed_at, self.last_public_update(room.incident_id)]
        return max((m for m in marks if m is not None), default=self.clock.now())

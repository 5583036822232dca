"""Messages of an incident's room copied into its timeline: pinned, marked with the timeline reaction, or
added with the "Add to timeline" shortcut. Each keeps its own time and author and is one entry however
often it is marked (keyed by room and message id); an edit rewrites it, a delete removes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from klaxon.domain.chat.messages import PostedMessage
from klaxon.domain.incident.models import TimelineEntry
from klaxon.ports import Chat, ChatRooms, TimelineRepository

KIND = "chat message"
SOURCE = "slack"


def message_ref(room: str, message_id: str) -> str:
    return f"{SOURCE}:{room}:{message_id}"


def message_time(message_id: str) -> datetime:
    """A Slack message id (`ts`) is its time: epoch seconds with microseconds."""
    return datetime.fromtimestamp(float(message_id), UTC)


@dataclass
class TimelineCapture:
    chat: Chat
    rooms: ChatRooms
    timeline: TimelineRepository
    actor_of: Callable[[str], str]  # a chat user id -> the actor recorded

    def capture(self, room: str, message: PostedMessage, how: str) -> bool:
        """Copy a message of an incident's room to the incident's timeline (`how`: pinned, reaction,
        shortcut); False when the room is no incident's."""
        incident_id = self.rooms.incident_of_room(room)
        if incident_id is None:
            return False
        self.timeline.add(self._entry(incident_id, room, message, how))
        return True

    def capture_by_id(self, room: str, message_id: str, how: str) -> bool:
        """As `capture`, for a message known only by its id (a reaction names no text)."""
        if self.rooms.incident_of_room(room) is None:
            return False
        message = self.chat.message(room, message_id)
        return message is not None and self.capture(room, message, how)

    def edited(self, room: str, message: PostedMessage) -> bool:
        """Rewrite a captured message after its edit; False when it was never captured."""
        incident_id = self.rooms.incident_of_room(room)
        if incident_id is None:
            return False
        captured = self.timeline.find(incident_id, message_time(message.id), message_ref(room, message.id))
        if captured is None:
            return False
        entry = self._entry(incident_id, room, message, str(captured.data.get("how", "")))
        self.timeline.add(entry.model_copy(update={"data": {**entry.data, "edited": True}}))
        return True

    def deleted(self, room: str, message_id: str) -> bool:
        """Forget a captured message whose original was deleted; False when the room is no incident's."""
        incident_id = self.rooms.incident_of_room(room)
        if incident_id is None:
            return False
        self.timeline.remove(incident_id, message_time(message_id), message_ref(room, message_id))
        return True

    def _entry(self, incident_id: str, room: str, message: PostedMessage, how: str) -> TimelineEntry:
        return TimelineEntry(
            subject=incident_id,
            at=message_time(message.id),
            kind=KIND,
            actor=self.actor_of(message.author) if message.author else "slack:unknown",
            message=message.text,
            data={"room": room, "message": message.id, "how": how},
            source=SOURCE,
            ref=message_ref(room, message.id),
        )

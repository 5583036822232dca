"""Each incident's chat room record in the config table.

| pk | sk | value | doc |
|---|---|---|---|
| `chat-room` | incident id | version (every write is conditional on it) | ChatRoom |
"""

from __future__ import annotations

from datetime import datetime

from klaxon.adapters import versioned_docs
from klaxon.domain.chat.rooms import ChatRoom

CHAT_ROOM_PK = "chat-room"


class DynamoChatRooms:
    def get(self, incident_id: str) -> tuple[ChatRoom, int] | None:
        return versioned_docs.read(CHAT_ROOM_PK, incident_id, ChatRoom)

    def put(self, room: ChatRoom, *, version: int | None) -> int:
        return versioned_docs.write(CHAT_ROOM_PK, room.incident_id, room, version=version)

    def due_for_archive(self, now: datetime) -> list[ChatRoom]:
        rooms = versioned_docs.all_of(CHAT_ROOM_PK, ChatRoom)
        return [r for r in rooms if not r.archived and r.archive_at is not None and r.archive_at <= now]

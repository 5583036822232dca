"""Each incident's chat room record in the config table.

| pk | sk | value | doc |
|---|---|---|---|
| `chat-room` | incident id | version (every write is conditional on it) | ChatRoom |
| `chat-room-of` | the room's id in the chat product | | `{"incident_id": …}` |
| `chat-group` | schedule id | version | GroupSync: what its on-call user group was last set to |

Commands and captured messages find their incident by `chat-room-of`. A room's record has `live` while the
room is open (ChatRoom.is_open): the housekeeping timer reads those through the `live` index.
"""

from __future__ import annotations

from datetime import datetime

from klaxon.adapters import versioned_docs
from klaxon.adapters.tables import ConfigItem
from klaxon.domain.chat.rooms import ChatRoom, GroupSync

CHAT_ROOM_PK = "chat-room"
GROUP_PK = "chat-group"
ROOM_OF_PK = "chat-room-of"


class DynamoChatRooms:
    def get(self, incident_id: str) -> tuple[ChatRoom, int] | None:
        return versioned_docs.read(CHAT_ROOM_PK, incident_id, ChatRoom)

    def put(self, room: ChatRoom, *, version: int | None) -> int:
        return versioned_docs.write(
            CHAT_ROOM_PK, room.incident_id, room, version=version, live=room.is_open()
        )

    def index(self, room: str, incident_id: str) -> None:
        ConfigItem(pk=ROOM_OF_PK, sk=room, doc={"incident_id": incident_id}).save()

    def incident_of_room(self, room: str) -> str | None:
        try:
            item = ConfigItem.get(ROOM_OF_PK, room)
        except ConfigItem.DoesNotExist:
            return None
        return str(item.doc["incident_id"]) if item.doc else None

    def group_sync(self, schedule: str) -> tuple[GroupSync, int] | None:
        return versioned_docs.read(GROUP_PK, schedule, GroupSync)

    def put_group_sync(self, sync: GroupSync, *, version: int | None) -> None:
        versioned_docs.write(GROUP_PK, sync.schedule, sync, version=version)

    def open_rooms(self) -> list[ChatRoom]:
        """Every room made and not archived, through the `live` index (archived rooms are never read)."""
        return versioned_docs.live_of(CHAT_ROOM_PK, ChatRoom, ChatRoom.is_open)

    def due_for_archive(self, now: datetime) -> list[ChatRoom]:
        return [r for r in self.open_rooms() if r.archive_at is not None and r.archive_at <= now]

"""In-memory chat fakes for service tests: a workspace that records every call, and the room records."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from klaxon.domain.chat.messages import ChatMessage, HistoryPage, MessageRef, PostedMessage
from klaxon.domain.chat.rooms import ChatFailed, ChatRoom, GroupSync, NameTaken
from klaxon.domain.errors import Conflict


@dataclass
class MemoryChat:
    users: dict[str, str] = field(default_factory=dict)  # email -> user id
    rooms: dict[str, str] = field(default_factory=dict)  # room id -> name
    members: dict[str, list[str]] = field(default_factory=dict)
    messages: dict[MessageRef, ChatMessage] = field(default_factory=dict)
    pins: set[MessageRef] = field(default_factory=set)
    archived: set[str] = field(default_factory=set)
    groups: dict[str, list[str]] = field(default_factory=dict)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)  # methods that raise ChatFailed
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def _record(self, method: str, argument: Any) -> None:
        self.calls.append((method, argument))
        if method in self.fail:
            raise ChatFailed(f"{method} failed")

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    def user_for_email(self, email: str) -> str | None:
        self._record("user_for_email", email)
        return self.users.get(email)

    def email_of(self, user: str) -> str | None:
        self._record("email_of", user)
        return next((email for email, known in self.users.items() if known == user), None)

    def message(self, room: str, message_id: str) -> PostedMessage | None:
        self._record("message", (room, message_id))
        found = self.messages.get(MessageRef(room, message_id))
        return None if found is None else PostedMessage(message_id, "klaxon", found.text, float(message_id))

    def open_room(self, name: str) -> str:
        self._record("open_room", name)
        if name in self.rooms.values():
            raise NameTaken(name)
        room = f"C{next(self._ids):05d}"
        self.rooms[room] = name
        return room

    def invite(self, room: str, users: Sequence[str]) -> None:
        self._record("invite", (room, tuple(users)))
        self.members.setdefault(room, []).extend(users)

    def post(self, room: str, message: ChatMessage) -> MessageRef:
        self._record("post", (room, message))
        ref = MessageRef(
            room=room if not room.startswith("#") else f"ID{room}", id=f"{next(self._ids)}.000000"
        )
        self.messages[ref] = message
        return ref

    def update(self, ref: MessageRef, message: ChatMessage) -> None:
        self._record("update", (ref, message))
        assert ref in self.messages, f"no message {ref}"
        self.messages[ref] = message

    def pin(self, ref: MessageRef) -> None:
        self._record("pin", ref)
        self.pins.add(ref)

    def set_group(self, group: str, users: Sequence[str]) -> None:
        self._record("set_group", (group, tuple(users)))
        self.groups[group] = list(users)

    def archive(self, room: str) -> None:
        self._record("archive", room)
        self.archived.add(room)

    def history(self, room: str, cursor: str | None = None) -> HistoryPage:
        found = [
            PostedMessage(id=ref.id, author="klaxon", text=m.text, at_epoch=float(ref.id))
            for ref, m in self.messages.items()
            if ref.room == room
        ]
        return HistoryPage(messages=tuple(found))


class MemoryChatRooms:
    def __init__(self) -> None:
        self.records: dict[str, tuple[ChatRoom, int]] = {}
        self.lock = threading.Lock()
        self.conflicts = 0  # fault injection: this many puts raise Conflict
        self.owners: dict[str, str] = {}
        self.group_syncs: dict[str, tuple[GroupSync, int]] = {}

    def get(self, incident_id: str) -> tuple[ChatRoom, int] | None:
        return self.records.get(incident_id)

    def put(self, room: ChatRoom, *, version: int | None) -> int:
        with self.lock:
            if self.conflicts > 0:
                self.conflicts -= 1
                raise Conflict("injected")
            current = self.records.get(room.incident_id)
            if (current[1] if current else None) != version:
                raise Conflict("changed")
            self.records[room.incident_id] = (room, (version or 0) + 1)
            return (version or 0) + 1

    def index(self, room: str, incident_id: str) -> None:
        self.owners[room] = incident_id

    def incident_of_room(self, room: str) -> str | None:
        return self.owners.get(room)

    def group_sync(self, schedule: str) -> tuple[GroupSync, int] | None:
        return self.group_syncs.get(schedule)

    def put_group_sync(self, sync: GroupSync, *, version: int | None) -> None:
        current = self.group_syncs.get(sync.schedule)
        if (current[1] if current else None) != version:
            raise Conflict("changed")
        self.group_syncs[sync.schedule] = (sync, (version or 0) + 1)

    def open_rooms(self) -> list[ChatRoom]:
        return [r for r, _ in self.records.values() if r.room is not None and not r.archived]

    def due_for_archive(self, now: datetime) -> list[ChatRoom]:
        return [
            r
            for r, _ in self.records.values()
            if not r.archived and r.archive_at is not None and r.archive_at <= now
        ]

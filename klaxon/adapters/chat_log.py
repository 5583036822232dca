"""The Chat port without a chat product: every message goes to the log (the console under `klaxon up`) and
to the timeline table under `chat:<room>`, so `GET /v1/incidents/{id}/chat` shows the flow without Slack.

Rooms are named, never created anywhere: a room's id is `log:<name>`. Emails are their own user ids.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime

from klaxon.domain.chat.messages import ChatMessage, HistoryPage, MessageRef, PostedMessage
from klaxon.domain.incident.models import TimelineEntry
from klaxon.ports import Clock, TimelineRepository

log = logging.getLogger("klaxon.chat")
ROOM_PREFIX = "log:"
SUBJECT_PREFIX = "chat:"
ACTOR = "klaxon"


def _subject(room: str) -> str:
    return SUBJECT_PREFIX + room


class LogChat:
    def __init__(self, timeline: TimelineRepository, clock: Clock) -> None:
        self.timeline = timeline
        self.clock = clock
        self._lock = threading.Lock()
        self._last = 0.0

    def _stamp(self) -> str:
        """A message id like Slack's `ts`: epoch seconds, unique and increasing within this process."""
        with self._lock:
            self._last = max(self._last + 0.000001, self.clock.now().timestamp())
            return f"{self._last:.6f}"

    def _write(self, room: str, kind: str, message: str, data: dict[str, str]) -> None:
        """One entry, numbered by `seq` (entries written in the same microsecond keep their order)."""
        entry = TimelineEntry(
            subject=_subject(room),
            at=self.clock.now(),
            kind=kind,
            actor=ACTOR,
            message=message,
            data={**data, "seq": self._stamp()},
        )
        self.timeline.add(entry)

    def user_for_email(self, email: str) -> str | None:
        return email

    def email_of(self, user: str) -> str | None:
        return user if "@" in user else None

    def message(self, room: str, message_id: str) -> PostedMessage | None:
        return next((m for m in self.history(room).messages if m.id == message_id), None)

    def open_room(self, name: str) -> str:
        room = ROOM_PREFIX + name
        log.info("opened %s", room)
        self._write(room, "chat.open", f"opened {name}", {})
        return room

    def invite(self, room: str, users: Sequence[str]) -> None:
        if users:
            log.info("%s invited %s", room, ", ".join(users))
            self._write(room, "chat.invite", "invited " + ", ".join(users), {"users": ",".join(users)})

    def post(self, room: str, message: ChatMessage) -> MessageRef:
        ref = MessageRef(room=room, id=self._stamp())
        log.info("%s posted %s", room, message.text)
        self._write(room, "chat.post", message.plain(), {"id": ref.id})
        return ref

    def update(self, ref: MessageRef, message: ChatMessage) -> None:
        log.info("%s updated %s", ref.room, message.text)
        self._write(ref.room, "chat.update", message.plain(), {"id": ref.id})

    def pin(self, ref: MessageRef) -> None:
        self._write(ref.room, "chat.pin", f"pinned {ref.id}", {"id": ref.id})

    def set_group(self, group: str, users: Sequence[str]) -> None:
        log.info("group %s is now %s", group, ", ".join(users))
        self._write(f"group:{group}", "chat.group", ", ".join(users), {"users": ",".join(users)})

    def archive(self, room: str) -> None:
        log.info("archived %s", room)
        self._write(room, "chat.archive", "archived", {})

    def history(self, room: str, cursor: str | None = None) -> HistoryPage:
        """Every message as it reads now (updates applied), in the order they were first posted."""
        texts: dict[str, str] = {}
        posted: dict[str, datetime] = {}
        pinned: set[str] = set()
        entries = self.timeline.list(_subject(room))
        for entry in sorted(entries, key=lambda e: float(e.data.get("seq", 0))):
            ident = entry.data.get("id")
            if ident is None:
                continue
            if entry.kind == "chat.post":
                posted.setdefault(ident, entry.at)
                texts[ident] = entry.message
            elif entry.kind == "chat.update" and ident in texts:
                texts[ident] = entry.message
            elif entry.kind == "chat.pin":
                pinned.add(ident)
        messages = tuple(
            PostedMessage(
                id=ident,
                author=ACTOR,
                text=texts[ident],
                at_epoch=float(ident),
                extra={"pinned": "true"} if ident in pinned else {},
            )
            for ident in sorted(texts, key=float)
        )
        return HistoryPage(messages=messages)

"""Ports of the incident's chat room: the chat product (Slack; a Teams adapter would be another) and the
record of each incident's room."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from klaxon.domain.chat.messages import ChatMessage, HistoryPage, MessageRef, PostedMessage
    from klaxon.domain.chat.rooms import ChatRoom, GroupSync


class Chat(Protocol):
    """A chat workspace. Every call may raise ChatFailed (refused, unreachable, rate limited past its
    retries); `open_room` raises NameTaken (klaxon.domain.chat.rooms)."""

    def user_for_email(self, email: str) -> str | None:
        """The workspace's user with this email (cached), or None when there is none."""

    def email_of(self, user: str) -> str | None:
        """The email of a workspace user (cached), or None when it has none or is unknown."""

    def message(self, room: str, message_id: str) -> PostedMessage | None:
        """One message of a room (a reaction names it by its id alone), or None when it is gone."""

    def open_room(self, name: str) -> str:
        """Create a room (a channel) called `name`; its id."""

    def invite(self, room: str, users: Sequence[str]) -> None:
        """Add people to a room; those already in it are no error."""

    def post(self, room: str, message: ChatMessage) -> MessageRef:
        """Post to a room (an id, or a channel's name such as `#incidents`)."""

    def update(self, ref: MessageRef, message: ChatMessage) -> None:
        """Replace a posted message in place."""

    def pin(self, ref: MessageRef) -> None: ...

    def set_group(self, group: str, users: Sequence[str]) -> None:
        """Make a user group (Slack: `@checkout-oncall`, by its id) exactly `users` (at least one)."""

    def archive(self, room: str) -> None:
        """Archive a room; an archived one is no error."""

    def history(self, room: str, cursor: str | None = None) -> HistoryPage:
        """A page of the room's messages, in time order; pages go from the newest back (post-mortems
        export the whole room)."""


class ChatRooms(Protocol):
    """Each incident's room record, versioned (optimistic concurrency)."""

    def get(self, incident_id: str) -> tuple[ChatRoom, int] | None: ...

    def put(self, room: ChatRoom, *, version: int | None) -> int:
        """Store `room` if its record is still at `version` (None: if there is none); its new version.
        Conflict otherwise."""

    def index(self, room: str, incident_id: str) -> None:
        """Remember whose room `room` is (written once the room exists; writing it again is no error)."""

    def incident_of_room(self, room: str) -> str | None:
        """The incident whose room this is (a chat product's id for it), or None."""

    def group_sync(self, schedule: str) -> tuple[GroupSync, int] | None:
        """What the schedule's user group was last set to, with the record's version."""

    def put_group_sync(self, sync: GroupSync, *, version: int | None) -> None:
        """Record a group's people; Conflict if the record changed since `version`."""

    def open_rooms(self) -> list[ChatRoom]:
        """Rooms made and not archived."""

    def due_for_archive(self, now: datetime) -> list[ChatRoom]:
        """Rooms not archived whose `archive_at` has passed."""

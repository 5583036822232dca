"""An incident's room as Klaxon remembers it, and which incidents get one."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import ConfigDict, Field

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import Priority
from klaxon.domain.model import Model

CREATE_LEASE = timedelta(seconds=60)  # how long one worker may take to open a room before another may


class ChatPolicy(Model):
    """The `chat` section of the configuration, as the room service uses it."""

    model_config = ConfigDict(frozen=True)

    priorities: frozenset[Priority] = frozenset({Priority.P1, Priority.P2})
    announcements: str | None = "#incidents"  # where one-line cards go (None: nowhere)
    members: tuple[str, ...] = ()  # emails of people invited to every room
    archive_after: timedelta = timedelta(days=7)
    hold_for_postmortem: frozenset[Priority] = frozenset({Priority.P1, Priority.P2})
    timeline_reaction: str = "pushpin"  # a message marked with it goes on the incident's timeline
    oncall_groups: dict[str, str] = Field(default_factory=dict)  # schedule id -> chat user group id
    # How long an open incident's room may go without a public status update before it is reminded.
    reminders: dict[Priority, timedelta] = Field(
        default_factory=lambda: {Priority.P1: timedelta(minutes=30), Priority.P2: timedelta(minutes=60)}
    )

    def wants_room(self, priority: Priority, drill: bool) -> bool:
        return priority in self.priorities and not drill


class ChatRoom(Model):
    """One incident's room: each step of opening it is recorded once done, so a retried event resumes
    where the last one stopped, and the rendered summary's digest, so an unchanged one is not re-sent."""

    incident_id: str
    name: str | None = None  # the room's name once created (with a suffix if the first was taken)
    room: str | None = None  # the chat product's id for it (Slack: the channel id)
    attempt: int = 0  # name collisions met so far
    creating_until: datetime | None = None  # another worker is opening the room until then
    invited: tuple[str, ...] = ()  # chat user ids invited so far
    summary: str | None = None  # the pinned summary message's id
    summary_digest: str | None = None
    pinned: bool = False
    runbook_posted: bool = False  # the incident's runbook, posted once under the summary
    card_room: str | None = None  # the announcements channel's id, as the chat product returned it
    card: str | None = None  # the one-line card's message id there
    card_digest: str | None = None
    archive_at: datetime | None = None  # set on resolution; cleared if the incident reopens
    archived: bool = False
    notes: list[str] = Field(default_factory=list)  # what could not be done (a user not found, say)
    opened_at: datetime | None = None  # when the room was made (reminders count from it)
    reminded_at: datetime | None = None  # the last reminder to post a status update
    snoozed_at: datetime | None = None  # the reminder's Snooze button: the next one an interval later

    def is_open(self) -> bool:
        return self.room is not None and not self.archived

    def creation_held(self, now: datetime) -> bool:
        """Whether another worker is opening the room right now."""
        return self.room is None and self.creating_until is not None and now < self.creating_until


class GroupSync(Model):
    """What a schedule's chat user group was last set to."""

    schedule: str
    group: str
    users: tuple[str, ...]
    synced_at: datetime


class NameTaken(Conflict):
    """The chat product has a room of that name already."""


class RoomBusy(Conflict):
    """Another worker is opening the incident's room: try again after its lease (`creating_until`)."""


class ChatFailed(Exception):
    """The chat product refused a call or could not be reached (after honouring its rate limits)."""

"""A post-mortem: its Markdown and the structured fields people work on (owner, status, due, actions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import Field as ModelField

from klaxon.domain.incident.models import Priority
from klaxon.domain.model import Model
from klaxon.domain.postmortem.actions import Filing, Ticket, TrackerPolicy, awaiting
from klaxon.domain.postmortem.durations import DurationFigures

MAX_MARKDOWN = 200_000  # characters: a long incident's timeline fits, a DynamoDB item (400 KB) too


@dataclass(frozen=True)
class GitHubTarget:
    """Where published post-mortems go as pull requests: a repository's docs folder, into a base branch."""

    repository: str  # owner/name
    folder: str = "docs/postmortems"
    base: str = "main"


@dataclass(frozen=True)
class ConfluenceTarget:
    """Where published post-mortems go as Confluence Cloud pages: a space (by its numeric id, as REST API v2
    names spaces), under a parent page if given, else under the space's homepage (Confluence's default)."""

    site: str  # https://acme.atlassian.net
    space_id: str
    parent_id: str | None = None


@dataclass(frozen=True)
class NotionTarget:
    """Where published post-mortems go as Notion pages: under a parent page shared with the integration (its
    id, a UUID with or without hyphens, as in the page's link)."""

    parent_page_id: str


@dataclass(frozen=True)
class PostmortemPolicy:
    """The `postmortems` section, as the service uses it."""

    priorities: frozenset[Priority] = frozenset({Priority.P1, Priority.P2})
    due_after: timedelta = timedelta(hours=48)
    templates: Mapping[Priority, str] = field(default_factory=dict)  # a team's own template per priority
    github: GitHubTarget | None = None
    confluence: ConfluenceTarget | None = None
    notion: NotionTarget | None = None
    trackers: TrackerPolicy = field(default_factory=TrackerPolicy)  # where action items are filed
    report_channel: str | None = None  # the monthly action items message, when under the goal
    executive_share: float = 50.0  # percent of a customer's budget one incident took: executive review
    executive_emails: tuple[str, ...] = ()  # told when a post-mortem needs executive review
    report_emails: tuple[str, ...] = ()


class PostmortemStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"


class ActionKind(StrEnum):
    PREVENT = "prevent"
    DETECT = "detect"
    MITIGATE = "mitigate"
    PROCESS = "process"


class ActionItem(Model):
    """A follow-up to get done, filed as a ticket in the team's tracker (domain.postmortem.actions). People
    write the title, owner, due date, priority and kind; Klaxon writes the rest."""

    id: str | None = ModelField(default=None, max_length=40, description="Given by Klaxon when added.")
    title: str = ModelField(min_length=1, max_length=255)
    owner: str | None = ModelField(default=None, max_length=64)
    due: date | None = None
    priority: Priority = Priority.P3
    kind: ActionKind = ActionKind.PREVENT
    created_at: datetime | None = None
    ticket: Ticket | None = None
    filing: Filing | None = None  # waiting for its ticket: since when, the failures so far
    done_at: datetime | None = None  # its ticket was done (the tracker's webhook or the nightly poll)

    def awaiting(self, published: bool) -> bool:
        return awaiting(self.ticket, self.filing, published)

    @property
    def done(self) -> bool:
        """Its ticket was done (set by the tracker's webhook or the nightly poll)."""
        return self.done_at is not None


SYSTEM_FIELDS = ("id", "created_at", "ticket", "filing", "done_at")


def edited_items(
    current: Sequence[ActionItem], edited: Sequence[ActionItem], now: datetime, new_id: Callable[[], str]
) -> list[ActionItem]:
    """The items after an edit: the edit's list, in its order, where an item naming a current item's id
    keeps what Klaxon wrote of it (its ticket, filing, completion; a ticketless item's completion may be
    set by hand), and every other item is new (a fresh id, created now)."""
    by_id = {item.id: item for item in current if item.id}
    result = []
    for item in edited:
        kept = by_id.get(item.id) if item.id else None
        if kept is None:
            result.append(
                item.model_copy(update={"id": new_id(), "created_at": now, "ticket": None, "filing": None})
            )
            continue
        system = {name: getattr(kept, name) for name in SYSTEM_FIELDS}
        if kept.ticket is None:
            system["done_at"] = item.done_at
        result.append(item.model_copy(update=system))
    return result


class Postmortem(Model):
    incident_id: str
    incident_number: int
    title: str
    service: str
    priority: Priority
    owner: str
    status: PostmortemStatus = PostmortemStatus.DRAFT
    due: datetime
    created_at: datetime
    updated_at: datetime
    updated_by: str
    markdown: str = ModelField(max_length=MAX_MARKDOWN)
    action_items: list[ActionItem] = ModelField(default_factory=list, max_length=100)
    published_at: datetime | None = None
    reminders_sent: list[str] = ModelField(default_factory=list)  # reminder_due's keys, each sent once
    copies: dict[str, str] = ModelField(default_factory=dict)  # where it was published: "github" -> the PR
    durations: DurationFigures | None = None  # as drafted, then after each explicit mark
    executive_review: bool = False  # the incident took over `executive_share` of a customer's budget
    impact_start: datetime | None = None  # a person's mark: impact began here (else the first alert's time)
    mitigated_at: datetime | None = None  # a person's mark (else the first `monitoring` status update)

    def overdue(self, now: datetime) -> bool:
        return self.status is not PostmortemStatus.PUBLISHED and now > self.due


@dataclass(frozen=True)
class PostmortemChange:
    """What a person changes; None leaves a field as it is."""

    markdown: str | None = None
    owner: str | None = None
    status: PostmortemStatus | None = None
    due: datetime | None = None
    action_items: list[ActionItem] | None = None
    impact_start: datetime | None = None
    mitigated_at: datetime | None = None


REMIND_BEFORE = timedelta(hours=24)


def reminder_due(postmortem: Postmortem, now: datetime) -> str | None:
    """The reminder its owner is owed now, by key: `before` (24 h before the due time), `due`, then
    `overdue-<n>` each day after; None when nothing is owed (published, or all sent)."""
    if postmortem.status is PostmortemStatus.PUBLISHED or now < postmortem.due - REMIND_BEFORE:
        return None
    if now < postmortem.due:
        key = "before"
    else:
        days = int((now - postmortem.due) / timedelta(days=1))
        key = "due" if days == 0 else f"overdue-{days}"
    return None if key in postmortem.reminders_sent else key


def needs_sweeping(postmortem: Postmortem) -> bool:
    """Whether a timer still has work in this post-mortem: reminders while it is not published (see
    reminder_due), items waiting for their ticket (actions.due), tickets not done yet (the nightly poll).
    The store indexes only these, so the timers read what is open, not every post-mortem ever written."""
    published = postmortem.status is PostmortemStatus.PUBLISHED
    return not published or any(
        item.awaiting(published) or (item.ticket is not None and item.done_at is None)
        for item in postmortem.action_items
    )

"""Action items as tickets in the team's tracker: which tracker takes a service's items, which items are
waiting to be filed (and when to try again after a tracker failed), and how an edit keeps what only
Klaxon writes (the ticket, the filing state, the completion)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import ConfigDict

from klaxon.domain.model import Model


class TrackerFailed(Exception):
    """A tracker was unreachable or refused (the message says which, and why): the item is retried."""


class TrackerKind(StrEnum):
    JIRA = "jira"
    LINEAR = "linear"
    ASANA = "asana"


@dataclass(frozen=True)
class TrackerTarget:
    """One configured tracker: where its tickets go (a Jira site and project key, a Linear team id, an
    Asana project gid) and the services whose action items it takes."""

    id: str
    kind: TrackerKind
    project: str | None = None  # Jira project key; Asana project gid
    team: str | None = None  # Linear team id
    site: str | None = None  # Jira site URL (https://acme.atlassian.net)
    issue_type: str = "Task"  # Jira issue type
    services: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TrackerPolicy:
    trackers: Mapping[str, TrackerTarget] = field(default_factory=dict)
    default: str | None = None  # the tracker of services no tracker names

    def for_service(self, service: str) -> TrackerTarget | None:
        named = next((t for t in self.trackers.values() if service in t.services), None)
        if named is not None:
            return named
        return self.trackers.get(self.default) if self.default else None


class Ticket(Model):
    """The tracker's ticket of an action item."""

    model_config = ConfigDict(frozen=True)

    tracker: str  # the configured tracker's id
    kind: TrackerKind
    key: str  # OPS-12, ENG-7, an Asana gid: what the tracker's webhooks name
    id: str  # the tracker's own id (Jira's numeric id, Linear's uuid, Asana's gid)
    url: str


class Filing(Model):
    """An action item waiting to be filed: asked for (published, or `klaxon action add`), and the
    failures so far, each followed by a longer wait (`retry_after`)."""

    model_config = ConfigDict(frozen=True)

    attempts: int = 0
    next_at: datetime
    error: str | None = None


RETRY_FIRST = timedelta(minutes=1)
RETRY_MOST = timedelta(hours=6)


def retry_after(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4 ... minutes, at most 6 hours (never given up)."""
    doublings: int = min(max(attempts - 1, 0), 20)
    return min(RETRY_FIRST * (1 << doublings), RETRY_MOST)


def failed(filing: Filing, now: datetime, error: str) -> Filing:
    attempts = filing.attempts + 1
    return Filing(attempts=attempts, next_at=now + retry_after(attempts), error=error[:500])


def awaiting(ticket: Ticket | None, filing: Filing | None, published: bool) -> bool:
    """Whether an item is waiting for its ticket: none yet, and asked for (its post-mortem published, or
    the item added with `klaxon action add`)."""
    return ticket is None and (published or filing is not None)


def due(ticket: Ticket | None, filing: Filing | None, published: bool, now: datetime) -> bool:
    """Whether to try filing an awaiting item now: never tried, or its retry time has come."""
    return awaiting(ticket, filing, published) and (filing is None or filing.next_at <= now)


@dataclass(frozen=True)
class Completion:
    """What a tracker says of a ticket: done (when), or open again (None)."""

    tracker: str
    key: str
    done_at: datetime | None

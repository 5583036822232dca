"""Ports of the incident path: incidents (with their dedup claims) and the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from klaxon.domain.incident.dedup import DedupClaim
    from klaxon.domain.incident.models import Alert, Incident, IncidentStatus, Priority, TimelineEntry
    from klaxon.events import DetailType, IncidentChanged, IncidentEvent


@dataclass(frozen=True)
class IncidentQuery:
    status: IncidentStatus | None = None
    service: str | None = None
    dedup_key: str | None = None
    number: int | None = None  # the incident numbered so (at most one)
    id_prefix: str | None = None  # ids that start so: a walk over every incident, for people typing ids
    limit: int = 25
    cursor: str | None = None


@dataclass
class IncidentPage:
    incidents: list[Incident] = field(default_factory=list)
    next: str | None = None


class IncidentRepository(Protocol):
    """Every write that changes an incident takes the `event` it causes and stores it in the same
    request (the outbox): the event is published after the write commits, at least once, and never
    without it. Nothing else publishes incident events."""

    def latest_for_dedup_key(self, service: str, dedup_key: str) -> DedupClaim | None:
        """The newest claim for (service, dedup key); its incident may be open, resolved or unwritten."""

    def claim_dedup_key(
        self, service: str, dedup_key: str, incident_id: str, now: datetime, *, replaces: str | None
    ) -> None:
        """Point the dedup key at a new incident id, only if it still points at `replaces`; else Conflict."""

    def release_dedup_key(
        self, service: str, dedup_key: str, incident_id: str, *, restore: DedupClaim | None
    ) -> None:
        """Undo a claim whose incident was never written: put `restore` back (or no claim), only if the
        key still points at `incident_id`; else nothing."""

    def get(self, incident_id: str) -> Incident | None: ...

    def status(self, incident_id: str) -> IncidentStatus | None:
        """Only the incident's status, read consistently (None: no such incident): the escalation's last
        look before each retried provider call, where a group's whole item (every alert) is not wanted."""

    def recent_for_dedup_key(self, service: str, dedup_key: str, since: datetime) -> list[Incident]:
        """The incidents of (service, dedup key) that may have taken an alert since `since`: each one
        created since then, and the newest one created before (it was the open one then). Reads only."""

    def next_number(self) -> int:
        """A new, never reused incident number (gaps are possible after a lost race)."""

    def create(self, incident: Incident, *, entry: TimelineEntry, event: IncidentEvent) -> None:
        """Write a new incident (whose dedup key the caller has claimed) and its first timeline entry."""

    def add_alerts(
        self,
        incident_id: str,
        alerts: Sequence[Alert],
        now: datetime,
        *,
        known_count: int,
        event: IncidentEvent,
    ) -> Incident:
        """Count alerts on an open incident in a single write, remembering their ids; Conflict if it is
        resolved or already holds one of them (`known_count`: the alert_count the caller read). They must
        fit in one generation of remembered ids (domain.incident.dedup.joinable_count)."""

    def transition(
        self,
        incident_id: str,
        target: IncidentStatus,
        *,
        actor: str,
        now: datetime,
        entry: TimelineEntry,
        event: IncidentEvent,
        alert: Alert | None = None,
        expected_revision: int | None = None,
    ) -> Incident:
        """Move an incident to `target` with its timeline entry, conditional on its current status
        (and, given `expected_revision`, on no alert having joined since it was read).

        Raises Conflict when its status is not one `target` may follow (see domain.incident.allowed_from).
        """

    def amend(
        self,
        incident_id: str,
        *,
        now: datetime,
        entry: TimelineEntry,
        event: IncidentEvent,
        priority: Priority | None = None,
        roles: dict[str, str] | None = None,
    ) -> Incident:
        """Change an open incident's priority or its roles (all of them: the map given replaces the
        one stored), with its timeline entry; Conflict when it is resolved."""

    def restart_escalation(
        self,
        incident_id: str,
        *,
        expected_round: int,
        policy: str | None,
        from_step: int,
        retrigger: bool,
        now: datetime,
        entry: TimelineEntry,
        event: IncidentEvent,
    ) -> Incident:
        """Begin escalation round `expected_round + 1` (Conflict if the round or status moved)."""

    def query(self, query: IncidentQuery) -> IncidentPage: ...


@dataclass(frozen=True)
class TimelinePage:
    """Entries oldest first, and the cursor of the next page (None: this is the last)."""

    entries: list[TimelineEntry]
    next: str | None = None


class TimelineRepository(Protocol):
    """Entries under a subject (an incident's id, `schedule:<id>`, a log chat's room), oldest first. An
    incident's holds every message of its war room, so it can run to thousands: `list` reads them all, for
    what must see the whole (a post-mortem's draft), the API pages through them, and Slack's
    `/klaxon timeline` reads only the newest (a first page, newest first)."""

    def add(self, entry: TimelineEntry) -> None:
        """Store an entry; one with a `ref` replaces the entry of that ref at that time, if any."""

    def remove(self, subject: str, at: datetime, ref: str) -> None:
        """Forget the entry of `ref` at `at`; none is no error."""

    def find(self, subject: str, at: datetime, ref: str) -> TimelineEntry | None:
        """The entry of `ref` at `at`, read by its key (a captured chat message, edited)."""

    def list(self, subject: str) -> list[TimelineEntry]:
        """Every entry."""

    def page(
        self, subject: str, cursor: str | None, limit: int, *, newest_first: bool = False
    ) -> TimelinePage:
        """Up to `limit` entries from `cursor` (None: the first), oldest first unless `newest_first`; a
        cursor it did not give is InvalidInput."""


class IncidentChanges(Protocol):
    """The incidents' change stream (the outbox, read by klaxon.services.incident.outbox)."""

    def event(self, record: Mapping[str, Any]) -> tuple[DetailType, IncidentChanged] | None:
        """The event a committed write carries, or None (a write with none, a removal); ValueError when
        the record cannot be read."""

    def position(self, record: Mapping[str, Any]) -> str:
        """The record's place in the stream (its sequence number)."""

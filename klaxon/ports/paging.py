"""Ports of paging: the record of every page and tick."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from klaxon.domain.incident.models import TimelineEntry
    from klaxon.domain.paging.escalation import Tick
    from klaxon.domain.paging.pages import Notification, Page, ToReserve
    from klaxon.domain.paging.sweep import Claim


class PageRecords(Protocol):
    def list(self, incident_id: str) -> list[Notification]: ...


class NotificationRecords(Protocol):
    def claim(
        self, incident_id: str, round_: int, tick: Tick, token: str, first: ToReserve | None = None
    ) -> bool:
        """Claim the tick for `token` while the incident is triggered (Conflict: acknowledged, resolved, or
        another run's tick), and reserve `first` in the same write where `reserve` allows: whether it was
        reserved (False without `first`)."""

    def reserve(self, round_: int, page: Page, token: str, now: datetime) -> bool:
        """Reserve the page for the attempt holding claim `token`, with a lease (`SEND_LEASE`) from `now`,
        in one conditional write: only while the incident is still triggered, and only where
        `pages.may_send` allows. False: not this attempt's to send."""

    def record(
        self,
        round_: int,
        page: Page,
        notification: Notification,
        entry: TimelineEntry | None = None,
        then: ToReserve | None = None,
    ) -> bool:
        """Replace the page's reservation by its result, with `entry` (its `notified` or `notification
        failed` line) on the incident's timeline in the same write: a task dying between the two left
        a page sent and recorded that its timeline never showed (the retry finds it recorded). Reserve
        `then` (the next page) in that write too, where `reserve` allows; the result is recorded either
        way. Whether `then` was reserved (False without it)."""

    def list(self, incident_id: str) -> list[Notification]: ...

    def in_flight(self, incident_id: str, now: datetime) -> bool:
        """Whether any page of the incident is being sent (`pages.in_flight`), read consistently."""

    def latest_tick(self, incident_id: str, round_: int) -> Tick | None: ...

    def latest_claim(self, incident_id: str, round_: int) -> Claim | None:
        """The round's last claimed tick with the token of the run that claimed it."""

    def finish(self, incident_id: str, round_: int, reason: str) -> None:
        """Mark the round as having walked its whole policy: nothing is left to page in it."""

    def finished(self, incident_id: str, round_: int) -> bool: ...


class EscalationRunner(Protocol):
    """The timed escalation executions (Step Functions in AWS and locally)."""

    def stop(self, incident_id: str, round_: int, cause: str) -> bool:
        """Stop the round's execution; False when there is none (it never escalated, or ended)."""

    def start_ack_timer(self, incident_id: str, round_: int, acknowledged_at: str) -> None:
        """Start the run that re-triggers the incident when its acknowledgement times out (idempotent)."""

    def running(self) -> set[tuple[str, int]]:
        """(incident id, round) of every escalation execution running now (acknowledgement timers aside)."""

    def resume(self, incident_id: str, round_: int, claim: Claim | None, now: datetime) -> str:
        """Start a new execution of the round at `claim` (its tick again, as that run's retry), or at the
        round's first tick; returns its name."""


class Notifier(Protocol):
    """Delivers one page on its channel; returns the provider's message id or raises DeliveryFailed."""

    def send(self, page: Page) -> str: ...


class TextReplier(Protocol):
    """Texts a short answer back to a phone that wrote to the two-way number."""

    def reply(self, to: str, text: str) -> None:
        """Send `text` to `to`; DeliveryFailed if the provider refuses."""

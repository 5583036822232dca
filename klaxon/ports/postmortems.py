"""Ports of the post-mortems (one versioned record per incident), the places they are published, and the
trackers their action items are filed in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from klaxon.domain.postmortem.actions import Ticket, TrackerTarget
    from klaxon.domain.postmortem.models import ActionItem, Postmortem


class Tracker(Protocol):
    """A ticket tracker (Jira, Linear, Asana): files action items, says which tickets are done."""

    def file(self, item: ActionItem, postmortem: Postmortem, link: str) -> Ticket:
        """Create the item's ticket, linking back to the post-mortem at `link`. Raises
        domain.postmortem.actions.TrackerFailed."""

    def completions(self, tickets: Sequence[Ticket]) -> dict[str, datetime | None]:
        """When each ticket (by key) was done, None while it is open; tickets it no longer knows are left
        out. Raises TrackerFailed."""


class Trackers(Protocol):
    def __call__(self, target: TrackerTarget) -> Tracker | None:
        """The tracker for a configured target; None when its credentials are not set."""


class TicketIndex(Protocol):
    """Which post-mortem's action item a tracker's ticket is, for its webhooks."""

    def put(self, ticket: Ticket, incident_id: str, item_id: str) -> None: ...

    def find(self, tracker: str, key: str) -> tuple[str, str] | None:
        """(incident id, item id) of the ticket `key` of tracker `tracker`."""


class PostmortemPublisher(Protocol):
    """A place published post-mortems go (a GitHub docs folder; Confluence and Notion would be others)."""

    kind: str

    def publish(self, postmortem: Postmortem) -> str:
        """Put it there, or update it there; its address. A DomainError when the place refuses."""


class PostmortemStore(Protocol):
    def get(self, incident_id: str) -> tuple[Postmortem, int] | None:
        """The incident's post-mortem and its version."""

    def put(self, postmortem: Postmortem, *, version: int | None) -> int:
        """Store it if its record is still at `version` (None: if there is none); its new version.
        Conflict otherwise."""

    def all(self) -> list[Postmortem]:
        """Every post-mortem kept (the index, the reports)."""

    def live(self) -> list[Postmortem]:
        """The post-mortems a timer still has work in (domain.postmortem.models.needs_sweeping), read
        eventually consistently: one written a moment ago may be missing until the next run."""

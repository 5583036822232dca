"""TimelineRepository over DynamoDB: entries sorted by time under their subject."""

from __future__ import annotations

import uuid
from datetime import datetime

from klaxon.adapters import cursors
from klaxon.adapters.tables import TimelineItem
from klaxon.adapters.timeutil import iso, parse_iso
from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import TimelineEntry
from klaxon.ports import TimelinePage


def _sort(at: datetime, ref: str | None) -> str:
    """Time first, so entries sort by it; then the entry's ref (one item per ref and time) or a random
    suffix, so entries at the same microsecond never collide."""
    return f"{iso(at)}#{ref if ref is not None else uuid.uuid4().hex[:8]}"


def to_item(entry: TimelineEntry) -> TimelineItem:
    return TimelineItem(
        subject=entry.subject,
        sort=_sort(entry.at, entry.ref),
        at=iso(entry.at),
        kind=entry.kind,
        actor=entry.actor,
        message=entry.message,
        data=entry.data or None,
        source=None if entry.source == "klaxon" else entry.source,
        ref=entry.ref,
    )


class DynamoTimelineRepository:
    def add(self, entry: TimelineEntry) -> None:
        """Store an entry; one with a `ref` replaces the entry of that ref at that time, if any."""
        to_item(entry).save()

    def remove(self, subject: str, at: datetime, ref: str) -> None:
        """Forget the entry of `ref` at `at` (its original was deleted); none is no error."""
        TimelineItem(subject=subject, sort=_sort(at, ref)).delete()

    def find(self, subject: str, at: datetime, ref: str) -> TimelineEntry | None:
        try:
            return from_item(TimelineItem.get(subject, _sort(at, ref), consistent_read=True))
        except TimelineItem.DoesNotExist:
            return None

    def list(self, subject: str) -> list[TimelineEntry]:
        return [from_item(item) for item in TimelineItem.query(subject)]  # every page of the query

    def page(
        self, subject: str, cursor: str | None, limit: int, *, newest_first: bool = False
    ) -> TimelinePage:
        if limit < 1:
            raise ValueError(f"a page holds at least one entry, not {limit}")
        order = "newest" if newest_first else "oldest"
        given = cursors.decode(cursor, {"subject", "sort", "order"})
        if given is not None and (given["subject"]["S"], given["order"]["S"]) != (subject, order):
            raise InvalidInput("invalid cursor", ["'next' is another timeline's cursor, or another order's"])
        start = None if given is None else {"subject": given["subject"], "sort": given["sort"]}
        # One past the page: a `next` is given only when something really follows.
        found = list(
            TimelineItem.query(
                subject, limit=limit + 1, last_evaluated_key=start, scan_index_forward=not newest_first
            )
        )
        shown = found[:limit]
        following = None
        if len(found) > limit:
            following = {"subject": {"S": subject}, "sort": {"S": shown[-1].sort}, "order": {"S": order}}
        return TimelinePage(entries=[from_item(item) for item in shown], next=cursors.encode(following))


def from_item(item: TimelineItem) -> TimelineEntry:
    return TimelineEntry(
        subject=item.subject,
        at=parse_iso(item.at),
        kind=item.kind,
        actor=item.actor,
        message=item.message,
        data=item.data or {},
        source=item.source or "klaxon",
        ref=item.ref,
    )

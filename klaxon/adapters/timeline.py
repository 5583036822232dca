"""TimelineRepository over DynamoDB: entries sorted by time under their subject."""

from __future__ import annotations

import uuid

from klaxon.adapters.tables import TimelineItem
from klaxon.adapters.timeutil import iso, parse_iso
from klaxon.domain.incident.models import TimelineEntry


def to_item(entry: TimelineEntry) -> TimelineItem:
    return TimelineItem(
        subject=entry.subject,
        sort=f"{iso(entry.at)}#{uuid.uuid4().hex[:8]}",
        at=iso(entry.at),
        kind=entry.kind,
        actor=entry.actor,
        message=entry.message,
        data=entry.data or None,
    )


class DynamoTimelineRepository:
    def add(self, entry: TimelineEntry) -> None:
        to_item(entry).save()

    def list(self, subject: str, limit: int = 500) -> list[TimelineEntry]:
        return [
            TimelineEntry(
                subject=item.subject,
                at=parse_iso(item.at),
                kind=item.kind,
                actor=item.actor,
                message=item.message,
                data=item.data or {},
            )
            for item in TimelineItem.query(subject, limit=limit)
        ]

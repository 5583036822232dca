"""The audit log: records in the timeline table, one partition per month (`audit#2026-12`), and in AWS a
copy of each as a JSON line in the Object Lock bucket, where nobody can change or delete it in its
retention period (not even the account's root)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from klaxon.adapters.aws import client
from klaxon.adapters.tables import TimelineItem
from klaxon.adapters.timeutil import iso
from klaxon.domain.access.audit import AuditRecord


def _month(at: datetime) -> str:
    return f"audit#{at.astimezone(UTC):%Y-%m}"


def _months_back(until: datetime, since: datetime) -> list[str]:
    """The monthly partitions from `until`'s back to `since`'s."""
    year, month = until.astimezone(UTC).year, until.astimezone(UTC).month
    first = since.astimezone(UTC)
    found = []
    while (year, month) >= (first.year, first.month):
        found.append(f"audit#{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


class DynamoAuditLog:
    def __init__(self, export_bucket: str | None = None) -> None:
        self.export_bucket = export_bucket

    def add(self, record: AuditRecord) -> None:
        line = record.model_dump_json()
        TimelineItem(
            subject=_month(record.at),
            sort=f"{iso(record.at)}#{record.id}",
            at=iso(record.at),
            kind="audit",
            actor=record.actor,
            message=f"{record.method} {record.target}",
            data=json.loads(line),
        ).save()
        if self.export_bucket:
            key = f"audit/{record.at.astimezone(UTC):%Y/%m/%d}/{iso(record.at)}-{record.id}.jsonl"
            client("s3").put_object(
                Bucket=self.export_bucket,
                Key=key,
                Body=(line + "\n").encode(),
                ContentType="application/x-ndjson",
            )

    def between(
        self, since: datetime, until: datetime, limit: int, keep: Callable[[AuditRecord], bool]
    ) -> list[AuditRecord]:
        found: list[AuditRecord] = []
        for partition in _months_back(until, since):
            condition = TimelineItem.sort.between(iso(since), iso(until))
            for item in TimelineItem.query(partition, condition, scan_index_forward=False):
                record = AuditRecord.model_validate(item.data)
                if item.at < iso(until) and keep(record):
                    found.append(record)
                    if len(found) >= limit:
                        return found
        return found

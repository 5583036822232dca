"""The timeline table (moto): an entry with a `ref` is found by its key, however long the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from klaxon.domain.incident.models import TimelineEntry

START = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def entry(n: int, ref: str | None = None, message: str = "note") -> TimelineEntry:
    at = START + timedelta(seconds=n)
    return TimelineEntry(subject="inc1", at=at, kind="note", actor="carol", message=message, ref=ref)


def test_an_entry_is_found_by_its_time_and_ref_after_more_than_a_page_of_others(moto_alone: Any) -> None:
    from klaxon.adapters.tables import TimelineItem
    from klaxon.adapters.timeline import DynamoTimelineRepository

    TimelineItem.create_table(wait=True)
    timeline = DynamoTimelineRepository()
    for n in range(600):  # more than `list` returns (500): a busy room's timeline
        timeline.add(entry(n))
    captured = entry(700, ref="slack:C1:1796500000.000100", message="Rolling back")
    timeline.add(captured)

    assert timeline.find("inc1", captured.at, "slack:C1:1796500000.000100") == captured
    assert timeline.find("inc1", captured.at, "slack:C1:other") is None
    assert captured not in timeline.list("inc1")  # what the capture's edit used to search

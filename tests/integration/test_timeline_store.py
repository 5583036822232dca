"""The timeline table (moto): an entry with a `ref` is found by its key, however long the timeline; a long
timeline is read whole, in pages that follow each other exactly, or its newest entries alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import TimelineEntry

START = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def entry(n: int, ref: str | None = None, message: str = "note", subject: str = "inc1") -> TimelineEntry:
    at = START + timedelta(seconds=n)
    return TimelineEntry(subject=subject, at=at, kind="note", actor="carol", message=message, ref=ref)


def a_timeline(count: int, subject: str = "inc1") -> Any:
    from klaxon.adapters.tables import TimelineItem
    from klaxon.adapters.timeline import DynamoTimelineRepository

    if not TimelineItem.exists():
        TimelineItem.create_table(wait=True)
    timeline = DynamoTimelineRepository()
    for n in range(count):
        timeline.add(entry(n, message=f"note {n}", subject=subject))
    return timeline


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
    assert timeline.list("inc1")[-1] == captured


def test_a_war_rooms_timeline_is_read_whole_paged_or_newest_first(moto_alone: Any) -> None:
    timeline = a_timeline(1203)  # a long incident's war room: more than the 500 a read used to stop at
    every = timeline.list("inc1")
    assert [e.message for e in every] == [f"note {n}" for n in range(1203)]

    pages, cursor = [], None
    while True:
        page = timeline.page("inc1", cursor, 500)
        pages.append(page.entries)
        if page.next is None:
            break
        cursor = page.next
    assert [len(p) for p in pages] == [500, 500, 203]
    assert [e for p in pages for e in p] == every

    assert timeline.page("inc1", None, 10, newest_first=True).entries[::-1] == every[-10:]
    assert timeline.page("inc1", None, 5000, newest_first=True).entries[::-1] == every


def test_a_full_last_page_says_nothing_follows(moto_alone: Any) -> None:
    timeline = a_timeline(4)
    first = timeline.page("inc1", None, 2)
    last = timeline.page("inc1", first.next, 2)
    assert [e.message for e in last.entries] == ["note 2", "note 3"]
    assert last.next is None
    assert timeline.page("inc1", None, 4).next is None


@pytest.mark.parametrize("cursor", ["not base64 ~", "bm90IGpzb24", "eyJzdWJqZWN0IjogMX0="])
def test_a_cursor_it_did_not_give_is_invalid_input(moto_alone: Any, cursor: str) -> None:
    timeline = a_timeline(1)
    with pytest.raises(InvalidInput, match="invalid cursor"):
        timeline.page("inc1", cursor, 10)


def test_another_timelines_or_another_orders_cursor_is_invalid_input(moto_alone: Any) -> None:
    timeline = a_timeline(3, subject="inc1")
    a_timeline(3, subject="inc2")
    other = timeline.page("inc2", None, 1).next
    with pytest.raises(InvalidInput, match="invalid cursor"):
        timeline.page("inc1", other, 1)
    backwards = timeline.page("inc1", None, 1, newest_first=True)
    assert [e.message for e in backwards.entries] == ["note 2"]
    older = timeline.page("inc1", backwards.next, 1, newest_first=True)
    assert [e.message for e in older.entries] == ["note 1"]
    with pytest.raises(InvalidInput, match="invalid cursor"):
        timeline.page("inc1", backwards.next, 1)

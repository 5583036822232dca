"""Report windows from what people type; `now` and the zone are arguments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from klaxon.domain.report_window import last_full_month, parse_moment, period, window

NOW = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)  # a Thursday
NY = ZoneInfo("America/New_York")


def test_nothing_given_is_the_last_30_days():
    assert window(NOW, UTC) == (NOW - timedelta(days=30), NOW)


def test_since_is_a_span_back_from_the_end():
    assert window(NOW, UTC, since="7d") == (NOW - timedelta(days=7), NOW)
    assert window(NOW, UTC, since="12h", end="2026-12-01T00:00Z")[0] == datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_a_month_is_its_calendar_month_in_the_zone():
    start, end = window(NOW, NY, month="2026-11")
    assert (start.isoformat(), end.isoformat()) == ("2026-11-01T00:00:00-04:00", "2026-12-01T00:00:00-05:00")
    assert window(NOW, UTC, month="2026-12")[1] == datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("last monday", datetime(2026, 11, 30, tzinfo=UTC)),
        ("thursday", datetime(2026, 11, 26, tzinfo=UTC)),  # today is Thursday: the one before
        ("today", datetime(2026, 12, 3, tzinfo=UTC)),
        ("yesterday", datetime(2026, 12, 2, tzinfo=UTC)),
        ("3d ago", NOW - timedelta(days=3)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T09:00-05:00", datetime(2026, 11, 1, 14, tzinfo=UTC)),
        ("now", NOW),
    ],
)
def test_moments(text, expected):
    assert parse_moment(text, NOW, UTC) == expected


def test_last_monday_is_midnight_in_the_readers_zone():
    assert parse_moment("last monday", NOW, NY).isoformat() == "2026-11-30T00:00:00-05:00"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "7 fortnights"}, "is not a span"),
        ({"start": "the day after"}, "is not a time"),
        ({"month": "2026-13"}, "is not a month"),
        ({"month": "2026-11", "since": "7d"}, "--month is the whole window"),
        ({"since": "7d", "start": "today"}, "not both"),
        ({"start": "2027-01-01"}, "the window is empty"),
    ],
)
def test_bad_windows_say_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        window(NOW, UTC, **kwargs)


def test_a_period_is_a_month_a_quarter_or_a_year_and_by_default_the_last_full_month():
    now = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)
    assert last_full_month(now, UTC) == "2026-12"
    assert (
        last_full_month(datetime(2026, 12, 1, 0, 30, tzinfo=UTC), ZoneInfo("America/New_York")) == "2026-10"
    )

    def day(*ymd: int) -> datetime:
        return datetime(*ymd, tzinfo=UTC)

    assert period(now, UTC) == ("2026-12", day(2026, 12, 1), day(2027, 1, 1))
    assert period(now, UTC, month="2026-02") == ("2026-02", day(2026, 2, 1), day(2026, 3, 1))
    assert period(now, UTC, quarter="2026-Q4") == ("2026-Q4", day(2026, 10, 1), day(2027, 1, 1))
    assert period(now, UTC, quarter="2026-Q1") == ("2026-Q1", day(2026, 1, 1), day(2026, 4, 1))
    assert period(now, UTC, year="2026") == ("2026", day(2026, 1, 1), day(2027, 1, 1))
    for wrong in (
        {"quarter": "2026-Q5"},
        {"year": "26"},
        {"month": "2026-13"},
        {"month": "2026-11", "year": "2026"},
    ):
        with pytest.raises(ValueError):
            period(now, UTC, **wrong)

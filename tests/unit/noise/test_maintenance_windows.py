"""Maintenance windows: one-off and recurring (RRULE in a time zone), per service, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from klaxon.domain.noise.maintenance import (
    MaintenanceWindow,
    active_windows,
    current_occurrence,
    ended,
    ending_soon,
    next_occurrence,
    occurrences,
)

BERLIN_SUNDAYS = MaintenanceWindow(
    id="patching",
    name="Weekly patching",
    services=("checkout",),
    # Sunday 2026-03-01 02:00-04:00 in Berlin (CET, UTC+1), then every Sunday at the same wall-clock time.
    start=datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
    end=datetime(2026, 3, 1, 3, 0, tzinfo=UTC),
    rrule="FREQ=WEEKLY;BYDAY=SU",
    time_zone="Europe/Berlin",
)
ONE_OFF = MaintenanceWindow(
    id="upgrade",
    name="DB upgrade",
    services=("payments", "checkout"),
    start=datetime(2026, 5, 1, 22, 0, tzinfo=UTC),
    end=datetime(2026, 5, 1, 23, 0, tzinfo=UTC),
)


def test_a_one_off_window_is_active_between_its_start_and_end() -> None:
    assert active_windows([ONE_OFF], "payments", datetime(2026, 5, 1, 22, 30, tzinfo=UTC)) == [ONE_OFF]


def test_a_one_off_window_ends_exclusively() -> None:
    assert active_windows([ONE_OFF], "payments", ONE_OFF.end) == []


def test_a_window_mutes_only_its_services() -> None:
    assert active_windows([ONE_OFF], "search", datetime(2026, 5, 1, 22, 30, tzinfo=UTC)) == []


def test_a_recurring_window_repeats_at_the_same_local_time_after_dst_begins() -> None:
    # 2026-03-29 Berlin moves to CEST (UTC+2): 02:00 local on 5 April is 00:00 UTC.
    found = list(
        occurrences(BERLIN_SUNDAYS, datetime(2026, 4, 4, tzinfo=UTC), datetime(2026, 4, 6, tzinfo=UTC))
    )

    assert found == [(datetime(2026, 4, 5, 0, 0, tzinfo=UTC), datetime(2026, 4, 5, 2, 0, tzinfo=UTC))]


def test_a_recurring_window_is_active_during_a_later_occurrence() -> None:
    assert active_windows([BERLIN_SUNDAYS], "checkout", datetime(2026, 3, 8, 2, 59, tzinfo=UTC)) == [
        BERLIN_SUNDAYS
    ]


def test_a_recurring_window_is_quiet_between_occurrences() -> None:
    assert current_occurrence(BERLIN_SUNDAYS, datetime(2026, 3, 10, 12, 0, tzinfo=UTC)) is None


def test_the_next_occurrence_is_the_following_sunday() -> None:
    assert next_occurrence(BERLIN_SUNDAYS, datetime(2026, 3, 2, tzinfo=UTC)) == (
        datetime(2026, 3, 8, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 3, 0, tzinfo=UTC),
    )


def test_until_ends_the_series() -> None:
    daily = BERLIN_SUNDAYS.model_copy(update={"rrule": "FREQ=DAILY;UNTIL=20260303T235959"})

    assert (
        len(list(occurrences(daily, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)))) == 3
    )


def test_a_one_off_window_has_ended_from_its_end_on() -> None:
    assert not ended(ONE_OFF, ONE_OFF.start - timedelta(days=30))
    assert not ended(ONE_OFF, ONE_OFF.end - timedelta(microseconds=1))
    assert ended(ONE_OFF, ONE_OFF.end)


def test_a_recurring_window_ends_when_its_rule_runs_out_and_never_without_count_or_until() -> None:
    daily = BERLIN_SUNDAYS.model_copy(update={"rrule": "FREQ=DAILY;UNTIL=20260303T235959"})
    last_end = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)  # 02:00-04:00 Berlin on the 3rd, the last one

    assert not ended(daily, datetime(2026, 3, 3, 2, 30, tzinfo=UTC))  # the last occurrence in progress
    assert not ended(daily, datetime(2026, 3, 2, 12, 0, tzinfo=UTC))  # between two
    assert ended(daily, last_end + timedelta(days=1))
    assert not ended(BERLIN_SUNDAYS, datetime(2036, 1, 1, tzinfo=UTC))
    twice = BERLIN_SUNDAYS.model_copy(update={"rrule": "FREQ=WEEKLY;COUNT=2"})
    assert not ended(twice, datetime(2026, 3, 5, tzinfo=UTC))
    assert ended(twice, datetime(2026, 3, 9, tzinfo=UTC))


def test_an_ended_window_has_no_occurrence_now_or_later() -> None:
    for window in (ONE_OFF, BERLIN_SUNDAYS.model_copy(update={"rrule": "FREQ=DAILY;COUNT=3"})):
        for days in range(0, 120, 3):
            at = datetime(2026, 2, 25, tzinfo=UTC) + timedelta(days=days, hours=days % 24)
            if ended(window, at):
                assert next_occurrence(window, at, horizon=timedelta(days=4000)) is None


def test_ending_soon_finds_a_window_within_the_lead_of_its_end() -> None:
    at = datetime(2026, 5, 1, 22, 50, tzinfo=UTC)

    assert ending_soon([ONE_OFF], at, timedelta(minutes=15)) == [(ONE_OFF, ONE_OFF.end)]


def test_ending_soon_ignores_a_window_with_time_left() -> None:
    assert ending_soon([ONE_OFF], datetime(2026, 5, 1, 22, 10, tzinfo=UTC), timedelta(minutes=15)) == []


def test_an_unreadable_rrule_is_refused() -> None:
    with pytest.raises(ValidationError, match="invalid rrule"):
        MaintenanceWindow.model_validate({**BERLIN_SUNDAYS.model_dump(), "rrule": "FREQ=SOMETIMES"})


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError, match="ends after it starts"):
        MaintenanceWindow.model_validate({**ONE_OFF.model_dump(), "end": ONE_OFF.start})

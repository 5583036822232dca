"""Rotation hand-offs: calendar rotations keep their wall-clock time, hourly ones count elapsed hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from klaxon.domain.schedule.models import Rotation, RotationType
from klaxon.domain.schedule.rotation import handoff, participant, rotation_shifts, shift_at

NEW_YORK, LORD_HOWE = "America/New_York", "Australia/Lord_Howe"


def daily(wall: datetime, zone: str, **extra: object) -> Rotation:
    return Rotation(type=RotationType.DAILY, participants=["ana", "ben"], start=wall, time_zone=zone, **extra)


def hand_off_on(rotation: Rotation, day: datetime) -> datetime:
    """The hand-off that happens on the local calendar day `day`."""
    index = (day.date() - rotation.start.date()).days // rotation.shift_length
    return handoff(rotation, index)


def test_a_hand_off_in_the_spring_forward_gap_moves_forward_by_the_gap():
    rotation = daily(datetime(2026, 3, 1, 2, 30), NEW_YORK)
    at = hand_off_on(rotation, datetime(2026, 3, 8))
    assert at.astimezone(ZoneInfo(NEW_YORK)).isoformat() == "2026-03-08T03:30:00-04:00"


def test_a_lord_howe_hand_off_in_its_half_hour_gap_moves_forward_half_an_hour():
    rotation = daily(datetime(2026, 10, 1, 2, 15), LORD_HOWE)
    at = hand_off_on(rotation, datetime(2026, 10, 4))
    assert at.astimezone(ZoneInfo(LORD_HOWE)).isoformat() == "2026-10-04T02:45:00+11:00"


def test_a_hand_off_time_that_occurs_twice_means_its_first_occurrence():
    rotation = daily(datetime(2026, 10, 25, 1, 30), NEW_YORK)
    at = hand_off_on(rotation, datetime(2026, 11, 1))
    assert at.astimezone(ZoneInfo(NEW_YORK)).isoformat() == "2026-11-01T01:30:00-04:00"


def test_a_lord_howe_hand_off_in_its_repeated_half_hour_means_the_first_occurrence():
    rotation = daily(datetime(2026, 4, 1, 1, 45), LORD_HOWE)
    at = hand_off_on(rotation, datetime(2026, 4, 5))
    assert at.astimezone(ZoneInfo(LORD_HOWE)).isoformat() == "2026-04-05T01:45:00+11:00"


def test_the_day_after_a_gap_the_hand_off_is_back_at_its_wall_time():
    rotation = daily(datetime(2026, 3, 1, 2, 30), NEW_YORK)
    at = hand_off_on(rotation, datetime(2026, 3, 9))
    assert at.astimezone(ZoneInfo(NEW_YORK)).isoformat() == "2026-03-09T02:30:00-04:00"


def test_a_daily_rotation_of_two_days_hands_off_every_other_day():
    rotation = daily(datetime(2026, 1, 1, 9), "Asia/Kolkata", shift_length=2)
    tiles = rotation_shifts(
        rotation, datetime(2026, 1, 1, 3, 30, tzinfo=UTC), datetime(2026, 1, 7, tzinfo=UTC)
    )
    assert [t.end - t.start for t in tiles[:2]] == [timedelta(days=2)] * 2


def test_an_hourly_rotation_steps_in_elapsed_hours_across_spring_forward():
    rotation = Rotation(
        type=RotationType.HOURLY, participants=["ana", "ben"], start=datetime(2026, 3, 8), time_zone=NEW_YORK
    )
    walls = [handoff(rotation, i).astimezone(ZoneInfo(NEW_YORK)).strftime("%H:%M") for i in range(4)]
    assert walls == ["00:00", "01:00", "03:00", "04:00"]


def test_a_custom_rotation_hands_off_every_shift_hours_of_elapsed_time():
    rotation = Rotation(
        type=RotationType.CUSTOM,
        participants=["ana", "ben", "cy"],
        start=datetime(2026, 10, 31, 20),
        time_zone=NEW_YORK,
        shift_hours=12,
    )
    assert handoff(rotation, 1) - handoff(rotation, 0) == timedelta(hours=12)
    assert handoff(rotation, 1).astimezone(ZoneInfo(NEW_YORK)).hour == 7  # 12 h after 20:00 EDT is 07:00 EST


def test_an_elapsed_hours_rotation_that_starts_in_a_gap_starts_after_the_gap():
    rotation = Rotation(
        type=RotationType.HOURLY, participants=["ana"], start=datetime(2026, 3, 8, 2, 30), time_zone=NEW_YORK
    )
    assert handoff(rotation, 0) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_participants_cycle_in_order_in_both_directions():
    rotation = daily(datetime(2026, 1, 1), NEW_YORK).model_copy(update={"participants": ["ana", "ben", "cy"]})
    assert [participant(rotation, i) for i in range(-3, 4)] == ["ana", "ben", "cy", "ana", "ben", "cy", "ana"]


def test_the_shift_at_an_instant_is_whole_and_unclipped():
    rotation = daily(datetime(2026, 1, 1, 9), NEW_YORK)
    shift = shift_at(rotation, datetime(2026, 1, 3, 12, tzinfo=UTC))
    assert (shift.user, shift.start, shift.end) == (
        "ben",
        datetime(2026, 1, 2, 14, tzinfo=UTC),
        datetime(2026, 1, 3, 14, tzinfo=UTC),
    )


def test_rotation_shifts_are_in_utc_whatever_zone_the_range_is_given_in():
    kolkata = ZoneInfo("Asia/Kolkata")
    start, end = datetime(2026, 1, 1, tzinfo=kolkata), datetime(2026, 1, 3, tzinfo=kolkata)
    tiles = rotation_shifts(daily(datetime(2026, 1, 1, 9), NEW_YORK), start, end)
    assert {t.start.tzinfo for t in tiles} == {UTC}


def test_a_naive_range_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        rotation_shifts(daily(datetime(2026, 1, 1, 9), NEW_YORK), datetime(2026, 1, 1), datetime(2026, 1, 2))


def test_an_empty_range_has_no_shifts():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert rotation_shifts(daily(datetime(2026, 1, 1, 9), NEW_YORK), at, at) == []

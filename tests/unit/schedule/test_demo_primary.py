"""The demo's `primary` schedule: alice, bob and carol hand off weekly, Mondays 09:00 New York time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from klaxon.domain.schedule.models import Layer, Rotation, RotationType, Schedule
from klaxon.domain.schedule.oncall import on_call, shifts

NEW_YORK = ZoneInfo("America/New_York")
PEOPLE = ["alice", "bob", "carol"]
PRIMARY = Schedule(
    id="primary",
    time_zone="America/New_York",
    layers=[
        Layer(
            name="primary",
            rotation=Rotation(
                type=RotationType.WEEKLY,
                participants=PEOPLE,
                start=datetime(2026, 1, 5, 9, 0),
                time_zone="America/New_York",
            ),
        )
    ],
)
MONDAYS_2026 = [date(2026, 1, 5) + timedelta(weeks=week) for week in range(52)]


def new_york(day: date, wall: time, fold: int = 0) -> datetime:
    return datetime.combine(day, wall, tzinfo=NEW_YORK).replace(fold=fold)


def who(at: datetime) -> str:
    (person,) = on_call(PRIMARY, [], at)
    return person.user


def whose_week(monday: date) -> str:
    return PEOPLE[(monday - date(2026, 1, 5)).days // 7 % 3]


@pytest.mark.parametrize("monday", MONDAYS_2026, ids=str)
def test_the_outgoing_person_is_on_call_at_08_59_59_on_hand_off_monday(monday):
    assert who(new_york(monday, time(8, 59, 59))) == whose_week(monday - timedelta(weeks=1))


@pytest.mark.parametrize("monday", MONDAYS_2026, ids=str)
def test_the_incoming_person_is_on_call_from_09_00_on_hand_off_monday(monday):
    assert who(new_york(monday, time(9, 0))) == whose_week(monday)


def test_alice_takes_the_first_shift_at_the_rotation_start():
    (first,) = on_call(PRIMARY, [], new_york(date(2026, 1, 5), time(9)))
    assert (first.user, first.start, first.end) == (
        "alice",
        datetime(2026, 1, 5, 14, tzinfo=UTC),
        datetime(2026, 1, 12, 14, tzinfo=UTC),
    )


def test_before_its_start_the_rotation_runs_backwards_in_the_same_cycle():
    assert [who(new_york(date(2025, 12, day), time(12))) for day in (15, 22, 29)] == PEOPLE


def test_carol_keeps_the_week_through_the_spring_forward_night():
    # 2026-03-08 02:30 does not exist in New York; 01:59 EST and 03:00 EDT are a second apart.
    sunday = date(2026, 3, 8)
    assert {who(new_york(sunday, time(1, 59, 59))), who(new_york(sunday, time(3)))} == {"carol"}


def test_alice_keeps_the_week_through_both_passes_of_the_fall_back_hour():
    sunday = date(2026, 11, 1)
    assert {who(new_york(sunday, time(1, 30), fold)) for fold in (0, 1)} == {"alice"}


def test_the_week_across_spring_forward_lasts_167_hours():
    (week,) = on_call(PRIMARY, [], new_york(date(2026, 3, 5), time(12)))
    assert week.end - week.start == timedelta(hours=167)


def test_the_week_across_fall_back_lasts_169_hours():
    (week,) = on_call(PRIMARY, [], new_york(date(2026, 10, 29), time(12)))
    assert week.end - week.start == timedelta(hours=169)


def test_every_2026_hand_off_is_at_09_00_on_a_monday_in_new_york():
    year = shifts(PRIMARY, [], new_york(date(2026, 1, 5), time(9)), new_york(date(2027, 1, 4), time(9)))
    starts = [s.start.astimezone(NEW_YORK) for s in year]
    assert [(s.date(), s.time()) for s in starts] == [(monday, time(9)) for monday in MONDAYS_2026]


def test_the_people_take_turns_in_order_all_year():
    year = shifts(PRIMARY, [], new_york(date(2026, 1, 5), time(9)), new_york(date(2027, 1, 4), time(9)))
    assert [s.user for s in year] == [whose_week(monday) for monday in MONDAYS_2026]


def test_on_call_decades_away_is_answered_by_arithmetic():
    monday = date(2090, 1, 2)  # 3,339 weeks after the first shift
    assert who(new_york(monday, time(9))) == whose_week(monday)

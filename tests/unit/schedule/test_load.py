"""On-call load and pay, against figures worked out by hand (hours are elapsed hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from klaxon.domain.schedule.load import is_night, oncall_load
from klaxon.domain.schedule.models import Shift

NEW_YORK, LOS_ANGELES = "America/New_York", "America/Los_Angeles"
RATE = Decimal("700")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def shift(user: str, start: datetime, end: datetime, layer: str = "weekly") -> Shift:
    return Shift(user=user, start=start, end=end, layer=layer)


def load_of(shifts: list[Shift], start: datetime, end: datetime, zones: dict[str, str] | None = None, **kw):
    (person,) = oncall_load(shifts, zones or {"alice": NEW_YORK}, start, end, **kw)
    return person


# Monday 2026-01-05 09:00 EST to Monday 2026-01-12 09:00 EST: an ordinary week.
PLAIN_WEEK = (utc(2026, 1, 5, 14), utc(2026, 1, 12, 14))
# Monday 2026-03-02 09:00 EST to Monday 2026-03-09 09:00 EDT: clocks spring forward on Sunday 03-08.
SPRING_WEEK = (utc(2026, 3, 2, 14), utc(2026, 3, 9, 13))
# Monday 2026-10-26 09:00 EDT to Monday 2026-11-02 09:00 EST: clocks fall back on Sunday 11-01.
FALL_WEEK = (utc(2026, 10, 26, 13), utc(2026, 11, 2, 14))


def test_an_ordinary_week_is_168_hours_of_which_45_are_office_hours():
    alice = load_of([shift("alice", *PLAIN_WEEK)], *PLAIN_WEEK)
    assert (alice.hours_on_call, alice.off_hours, alice.weekend_hours) == (168.0, 123.0, 48.0)


def test_an_ordinary_week_is_paid_the_whole_weekly_rate():
    assert load_of([shift("alice", *PLAIN_WEEK)], *PLAIN_WEEK, weekly_rate=RATE).stipend == Decimal("700.00")


def test_the_spring_forward_week_is_167_hours_with_a_47_hour_weekend():
    alice = load_of([shift("alice", *SPRING_WEEK)], *SPRING_WEEK)
    assert (alice.hours_on_call, alice.off_hours, alice.weekend_hours) == (167.0, 122.0, 47.0)


def test_the_spring_forward_week_is_paid_167_168ths_of_the_rate():
    # 700 * 167 / 168 = 695.833...
    alice = load_of([shift("alice", *SPRING_WEEK)], *SPRING_WEEK, weekly_rate=RATE)
    assert alice.stipend == Decimal("695.83")


def test_the_fall_back_week_is_169_hours_with_a_49_hour_weekend_and_paid_for_them():
    # 700 * 169 / 168 = 704.166...
    alice = load_of([shift("alice", *FALL_WEEK)], *FALL_WEEK, weekly_rate=RATE)
    assert (alice.hours_on_call, alice.off_hours, alice.weekend_hours, alice.stipend) == (
        169.0,
        124.0,
        49.0,
        Decimal("704.17"),
    )


def test_off_hours_are_counted_on_the_users_own_clock():
    # 14:00-23:00 UTC on Monday 2026-01-05 is 09:00-18:00 in New York but 06:00-15:00 in Los Angeles.
    day = (utc(2026, 1, 5, 14), utc(2026, 1, 5, 23))
    zones = {"alice": NEW_YORK, "erin": LOS_ANGELES}
    alice, erin = oncall_load([shift("alice", *day), shift("erin", *day)], zones, *day)
    assert (alice.off_hours, erin.off_hours) == (0.0, 3.0)


def test_only_the_part_of_a_shift_inside_the_range_counts():
    # The range is Saturday 2026-01-10 00:00 to Sunday 00:00 in New York, inside alice's week.
    saturday = (utc(2026, 1, 10, 5), utc(2026, 1, 11, 5))
    alice = load_of([shift("alice", *PLAIN_WEEK)], *saturday, weekly_rate=RATE)
    assert (alice.hours_on_call, alice.weekend_hours, alice.stipend) == (24.0, 24.0, Decimal("100.00"))


def test_being_on_call_on_two_schedules_at_once_counts_once():
    both = [shift("alice", *PLAIN_WEEK), shift("alice", PLAIN_WEEK[0], PLAIN_WEEK[0] + timedelta(hours=10))]
    assert load_of(both, *PLAIN_WEEK, weekly_rate=RATE).stipend == Decimal("700.00")


def test_without_a_weekly_rate_no_stipend_is_worked_out():
    assert load_of([shift("alice", *PLAIN_WEEK)], *PLAIN_WEEK).stipend is None


def test_pages_in_the_range_are_counted_and_those_between_22_and_07_local_are_night_pages():
    pages = {
        "alice": [
            utc(2026, 1, 6, 2, 59),  # 21:59 EST: evening, not night
            utc(2026, 1, 6, 3),  # 22:00 EST: night
            utc(2026, 1, 6, 11, 59),  # 06:59 EST: night
            utc(2026, 1, 6, 12),  # 07:00 EST: morning
            utc(2026, 1, 20),  # after the range: not counted
        ]
    }
    alice = load_of([shift("alice", *PLAIN_WEEK)], *PLAIN_WEEK, pages=pages)
    assert (alice.pages, alice.night_pages) == (4, 2)


def test_someone_paged_while_not_on_call_is_reported_with_no_hours():
    frank = load_of([], *PLAIN_WEEK, zones={"frank": NEW_YORK}, pages={"frank": [utc(2026, 1, 6, 15)]})
    assert (frank.user, frank.hours_on_call, frank.pages, frank.night_pages) == ("frank", 0.0, 1, 0)


def test_night_is_judged_on_the_wall_clock_after_a_dst_change():
    # 11:30 UTC on Monday 2026-03-09 is 07:30 EDT (it would have been 06:30 EST the week before).
    assert not is_night(utc(2026, 3, 9, 11, 30), NEW_YORK)

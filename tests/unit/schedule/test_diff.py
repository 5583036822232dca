"""Schedule diff: who gains and who loses which on-call time when a config changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from klaxon.domain.schedule.diff import Change, Interval, diff_schedules, subtract
from klaxon.domain.schedule.models import Layer, Restriction, Rotation, RotationType, Schedule

MONDAY = datetime(2026, 1, 5, 14, tzinfo=UTC)  # Monday 09:00 in New York, the demo's first hand-off
WEEK = timedelta(weeks=1)


def weekly(people: list[str], schedule_id: str = "primary") -> Schedule:
    rotation = Rotation(
        type=RotationType.WEEKLY,
        participants=people,
        start=datetime(2026, 1, 5, 9),
        time_zone="America/New_York",
    )
    layer = Layer(name="weekly", rotation=rotation)
    return Schedule(id=schedule_id, time_zone="America/New_York", layers=[layer])


def week(n: int) -> Interval:
    return Interval(start=MONDAY + n * WEEK, end=MONDAY + (n + 1) * WEEK)


def test_identical_configs_have_no_changes():
    same = weekly(["alice", "bob"])
    assert diff_schedules([same], [same.model_copy()], MONDAY, MONDAY + 8 * WEEK) == []


def test_swapping_two_participants_moves_their_weeks_between_them():
    (change,) = diff_schedules(
        [weekly(["alice", "bob", "carol"])], [weekly(["alice", "carol", "bob"])], MONDAY, MONDAY + 3 * WEEK
    )
    assert change.change is Change.CHANGED
    assert [(u.user, u.gained, u.lost) for u in change.users] == [
        ("bob", [week(2)], [week(1)]),
        ("carol", [week(1)], [week(2)]),
    ]


def test_hours_gained_and_lost_are_elapsed_hours_across_a_dst_change():
    # Monday 2026-03-02 09:00 EST to Monday 2026-03-09 09:00 EDT: the week New York springs forward.
    spring_week = (datetime(2026, 3, 2, 14, tzinfo=UTC), datetime(2026, 3, 9, 13, tzinfo=UTC))
    (change,) = diff_schedules([weekly(["alice"])], [weekly(["bob"])], *spring_week)
    alice, bob = change.users
    assert (alice.hours_lost, alice.hours_gained, bob.hours_gained) == (167.0, 0.0, 167.0)


def test_the_same_person_on_call_from_another_layer_is_no_change():
    office = Restriction(start=time(9), end=time(17))
    top = Layer(name="office", rotation=weekly(["alice"]).layers[0].rotation, restrictions=[office])
    old = weekly(["alice"])
    new = old.model_copy(update={"layers": [*old.layers, top]})
    assert diff_schedules([old], [new], MONDAY, MONDAY + WEEK) == []


def test_a_new_schedule_is_added_with_everyone_gaining_their_shifts():
    (change,) = diff_schedules([], [weekly(["dave"], "secondary")], MONDAY, MONDAY + 2 * WEEK)
    assert (change.schedule, change.change) == ("secondary", Change.ADDED)
    assert [(u.user, u.hours_gained, u.lost) for u in change.users] == [("dave", 336.0, [])]


def test_a_removed_schedule_shows_everyone_losing_their_shifts():
    (change,) = diff_schedules([weekly(["dave", "erin"], "secondary")], [], MONDAY, MONDAY + 2 * WEEK)
    assert (change.change, [(u.user, u.lost) for u in change.users]) == (
        Change.REMOVED,
        [("dave", [week(0)]), ("erin", [week(1)])],
    )


def test_a_restriction_to_office_hours_loses_the_nights_and_weekend():
    office = Restriction(start=time(9), end=time(17))
    restricted = Layer(name="weekly", rotation=weekly(["alice"]).layers[0].rotation, restrictions=[office])
    new = Schedule(id="primary", time_zone="America/New_York", layers=[restricted])
    (change,) = diff_schedules([weekly(["alice"])], [new], MONDAY, MONDAY + WEEK)
    (alice,) = change.users
    assert (alice.hours_gained, alice.hours_lost) == (0.0, 168.0 - 7 * 8)


def test_subtract_keeps_the_parts_outside_every_removed_window():
    def at(hour: int) -> datetime:
        return MONDAY + timedelta(hours=hour)

    kept = subtract([(at(0), at(10)), (at(20), at(30))], [(at(2), at(4)), (at(8), at(22)), (at(29), at(40))])
    assert kept == [(at(0), at(2)), (at(4), at(8)), (at(22), at(29))]

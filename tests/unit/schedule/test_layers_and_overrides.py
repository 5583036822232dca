"""Layers stack with the higher winning where it has someone; restrictions clip; overrides win outright."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from klaxon.domain.schedule.models import (
    Layer,
    Override,
    Restriction,
    Rotation,
    RotationType,
    Schedule,
    Weekday,
)
from klaxon.domain.schedule.oncall import layer_shifts, on_call, shifts

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 1, 5, tzinfo=LONDON)  # London is on UTC in January


def weekly(name: str, people: list[str], *restrictions: Restriction) -> Layer:
    rotation = Rotation(
        type=RotationType.WEEKLY, participants=people, start=datetime(2026, 1, 5), time_zone="Europe/London"
    )
    return Layer(name=name, rotation=rotation, restrictions=list(restrictions))


def schedule(*layers: Layer) -> Schedule:
    return Schedule(id="ops", time_zone="Europe/London", layers=list(layers))


def who(s: Schedule, at: datetime, overrides: list[Override] | None = None) -> str | None:
    found = on_call(s, overrides or [], at)
    return found[0].user if found else None


def override(user: str, start: datetime, end: datetime, created: int = 0, schedule: str = "ops") -> Override:
    stamp = datetime(2025, 12, 1, tzinfo=UTC) + timedelta(hours=created)
    return Override(
        id=f"{user}{created}", schedule=schedule, user=user, start=start, end=end, created_at=stamp
    )


OFFICE_HOURS = Restriction(days=[Weekday.MON, Weekday.TUE], start=time(9), end=time(17))
NIGHTS = Restriction(start=time(22), end=time(6))
BASE = weekly("base", ["ana"])
DAYTIME = weekly("daytime", ["ben"], OFFICE_HOURS)


def test_the_higher_layer_wins_where_it_has_someone_on_call():
    assert who(schedule(BASE, DAYTIME), MONDAY + timedelta(hours=10)) == "ben"


def test_the_lower_layer_shows_through_where_the_higher_is_restricted_off():
    assert who(schedule(BASE, DAYTIME), MONDAY + timedelta(hours=18)) == "ana"


def test_a_lower_layer_never_shows_through_a_higher_unrestricted_one():
    assert who(schedule(DAYTIME, BASE), MONDAY + timedelta(hours=10)) == "ana"


def test_a_restriction_opens_only_on_its_listed_days():
    assert who(schedule(DAYTIME), MONDAY + timedelta(days=2, hours=10)) is None


def test_a_restriction_closes_at_its_end_time():
    assert [who(schedule(DAYTIME), MONDAY + timedelta(hours=h)) for h in (9, 16, 17)] == ["ben", "ben", None]


def test_an_overnight_restriction_runs_past_midnight_into_the_next_day():
    night = schedule(weekly("night", ["cy"], NIGHTS))
    assert [who(night, MONDAY + timedelta(hours=h)) for h in (21, 23, 29, 30)] == [None, "cy", "cy", None]


def test_a_restriction_whose_end_equals_its_start_is_open_for_a_full_day():
    day = weekly("day", ["cy"], Restriction(days=[Weekday.MON], start=time(9), end=time(9)))
    assert layer_shifts(day, MONDAY, MONDAY + timedelta(days=7))[0].end - MONDAY == timedelta(days=1, hours=9)


def test_nobody_is_on_call_where_every_layer_is_restricted_off():
    assert on_call(schedule(DAYTIME, weekly("night", ["cy"], NIGHTS)), [], MONDAY + timedelta(hours=19)) == []


def test_a_restriction_opening_in_the_spring_forward_gap_opens_as_the_gap_ends():
    # London skips 01:00-02:00 on 2026-03-29; a 01:30 opening moves forward by the gap to 02:30 BST.
    early = weekly("early", ["cy"], Restriction(start=time(1, 30), end=time(4)))
    (first, *_) = layer_shifts(early, datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC))
    assert first.start.astimezone(LONDON).isoformat() == "2026-03-29T02:30:00+01:00"


def test_a_restriction_closing_in_the_repeated_hour_closes_at_its_first_occurrence():
    # London repeats 01:00-02:00 on 2026-10-25; a window closing at 01:30 closes at 01:30 BST.
    early = weekly("early", ["cy"], Restriction(start=time(0), end=time(1, 30)))
    (first, *_) = layer_shifts(
        early, datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 26, tzinfo=UTC)
    )
    assert first.end.astimezone(LONDON).isoformat() == "2026-10-25T01:30:00+01:00"


def test_an_override_wins_over_every_layer_for_exactly_its_window():
    start, end = MONDAY + timedelta(hours=10), MONDAY + timedelta(hours=12)
    final = shifts(schedule(BASE, DAYTIME), [override("dee", start, end)], MONDAY, MONDAY + timedelta(days=1))
    assert [(s.user, s.start, s.end) for s in final if s.layer == "override"] == [("dee", start, end)]


def test_the_schedule_returns_to_its_layers_when_an_override_ends():
    end = MONDAY + timedelta(hours=12)
    assert who(schedule(BASE, DAYTIME), end, [override("dee", MONDAY, end)]) == "ben"


def test_an_override_for_another_schedule_is_ignored():
    other = override("dee", MONDAY, MONDAY + timedelta(days=1), schedule="elsewhere")
    assert who(schedule(BASE), MONDAY + timedelta(hours=1), [other]) == "ana"


def test_the_most_recently_created_override_wins_where_overrides_overlap():
    later = override("eli", MONDAY, MONDAY + timedelta(hours=4), created=2)
    earlier = override("dee", MONDAY, MONDAY + timedelta(hours=8), created=1)
    at = [MONDAY + timedelta(hours=h) for h in (1, 5)]
    assert [who(schedule(BASE), a, [later, earlier]) for a in at] == ["eli", "dee"]


def test_touching_shifts_of_the_same_user_and_layer_are_joined():
    final = shifts(schedule(BASE), [], MONDAY, MONDAY + timedelta(weeks=3))
    assert [(s.user, s.start, s.end) for s in final] == [("ana", MONDAY, MONDAY + timedelta(weeks=3))]


def test_touching_shifts_of_the_same_user_from_different_sources_stay_apart():
    cover = override("ana", MONDAY + timedelta(hours=10), MONDAY + timedelta(hours=11))
    final = shifts(schedule(BASE, DAYTIME), [cover], MONDAY, MONDAY + timedelta(hours=11))
    assert [(s.user, s.layer) for s in final] == [("ana", "base"), ("ben", "daytime"), ("ana", "override")]


def test_layer_shifts_show_one_layer_alone():
    alone = layer_shifts(DAYTIME, MONDAY, MONDAY + timedelta(days=7))
    assert [(s.start, s.end) for s in alone] == [
        (MONDAY + timedelta(hours=9), MONDAY + timedelta(hours=17)),
        (MONDAY + timedelta(days=1, hours=9), MONDAY + timedelta(days=1, hours=17)),
    ]

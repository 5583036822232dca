"""`on_call` reports the person's whole continuous span, found from the neighbourhood of the instant."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from klaxon.domain.schedule.models import Layer, Override, Restriction, Rotation, RotationType, Schedule
from klaxon.domain.schedule.oncall import SEARCH_HORIZON, on_call, shifts

START = datetime(2026, 1, 5, tzinfo=UTC)


def daily(*people: str) -> Schedule:
    rotation = Rotation(
        type=RotationType.DAILY, participants=list(people), start=START.replace(tzinfo=None), time_zone="UTC"
    )
    return Schedule(id="s", time_zone="UTC", layers=[Layer(name="daily", rotation=rotation)])


def test_the_span_of_a_shift_is_the_whole_shift():
    (found,) = on_call(daily("ana", "ben"), [], START + timedelta(hours=5))
    assert (found.user, found.start, found.end) == ("ana", START, START + timedelta(days=1))


def test_the_span_runs_on_through_an_override_for_the_same_person():
    extra = Override(
        id="o",
        schedule="s",
        user="ana",
        start=START + timedelta(days=1),
        end=START + timedelta(days=1, hours=6),
    )
    (found,) = on_call(daily("ana", "ben"), [extra], START + timedelta(hours=5))
    assert found.end == START + timedelta(days=1, hours=6)


def test_a_span_longer_than_the_horizon_is_cut_at_the_horizon():
    at = START + timedelta(days=100)
    (found,) = on_call(daily("ana"), [], at)
    assert (found.start, found.end) == (at - SEARCH_HORIZON, at + SEARCH_HORIZON)


def test_a_span_across_consecutive_shifts_of_the_same_person_is_found_whole():
    (found,) = on_call(daily("ana", "ana", "ana", "ben"), [], START + timedelta(days=1, hours=5))
    assert (found.user, found.start, found.end) == ("ana", START, START + timedelta(days=3))


def test_nobody_is_on_call_in_a_gap_between_restriction_windows():
    nine_to_five = Restriction(start=time(9), end=time(17))
    layer = daily("ana").layers[0].model_copy(update={"restrictions": [nine_to_five]})
    gappy = Schedule(id="s", time_zone="UTC", layers=[layer])
    assert on_call(gappy, [], START + timedelta(hours=8)) == []


def test_on_call_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="timezone-aware"):
        on_call(daily("ana"), [], datetime(2026, 1, 5))


def test_shifts_of_an_empty_or_backwards_range_are_empty():
    assert shifts(daily("ana"), [], START + timedelta(days=1), START) == []

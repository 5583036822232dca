"""Precomputed on-call runs answer exactly as `on_call` does, the reference kept in klaxon/domain/schedule.

Random schedules (up to three layers, every rotation kind, restrictions, five zones with DST changes
and a 30-minute one), random overrides (overlapping, across the month's edges, ties in creation time,
longer than the search horizon) and instants at every boundary the month has.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klaxon.domain.schedule.models import Layer, OnCall, Override, Rotation, RotationType, Schedule
from klaxon.domain.schedule.oncall import SEARCH_HORIZON, on_call
from klaxon.domain.schedule.runs import build_runs, month_of, reach
from tests.unit.schedule.schedule_strategies import PEOPLE, ZONES, schedules, transitions

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TICK = timedelta(microseconds=1)
MOST_SAMPLES = 40  # the reference is slow; more boundaries than this are thinned evenly


def answer(found: list[OnCall] | None) -> list[tuple[str, str, str]] | None:
    """Compared as text, so the ends' zone (UTC) must match too, not just the instants."""
    return None if found is None else [(o.user, o.start.isoformat(), o.end.isoformat()) for o in found]


@st.composite
def months(draw: st.DrawFn, schedule: Schedule) -> tuple[datetime, datetime]:
    """Often a month with a DST change of one of the schedule's zones in it."""
    zones = sorted({schedule.time_zone, *(layer.rotation.time_zone for layer in schedule.layers)})
    changes = [t for zone in zones for t in transitions(zone)]
    anywhere = st.datetimes(datetime(2023, 6, 1), datetime(2028, 6, 1), timezones=st.just(UTC))
    anchor = draw(st.one_of(st.sampled_from(changes), anywhere) if changes else anywhere)
    month = month_of(anchor)
    assert month is not None
    return month


@st.composite
def overrides_around(draw: st.DrawFn, start: datetime, end: datetime) -> list[Override]:
    """Overrides anywhere the runs are built from, some on the month's edges, some over the horizon."""
    lo, hi = reach(start, end)
    edges = [start, end, lo, hi, start - TICK, end - TICK]
    begins = st.one_of(
        st.sampled_from(edges),
        st.datetimes(lo.replace(tzinfo=None), hi.replace(tzinfo=None), timezones=st.just(UTC)),
    )
    lengths = st.one_of(
        st.timedeltas(timedelta(minutes=1), timedelta(days=3)),
        st.timedeltas(SEARCH_HORIZON - timedelta(days=1), SEARCH_HORIZON * 2),
    )
    created = st.one_of(
        st.none(),
        st.sampled_from([datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=m) for m in range(4)]),
    )
    found = []
    for n in range(draw(st.integers(0, 8))):
        begin = draw(begins)
        found.append(
            Override(
                id=f"o{n}",
                schedule="s",
                user=draw(st.sampled_from([*PEOPLE, "zed"])),
                start=begin,
                end=begin + draw(lengths),
                created_at=draw(created),
            )
        )
    return found


def boundaries(
    schedule: Schedule,
    runs_starts: tuple[datetime, ...],
    overrides: list[Override],
    month: tuple[datetime, datetime],
) -> list[datetime]:
    """Every instant in the month where the answer may change, and a tick either side of it."""
    start, end = month
    zones = {schedule.time_zone, *(layer.rotation.time_zone for layer in schedule.layers)}
    points = [start, end, *runs_starts, *(t for zone in zones for t in transitions(zone))]
    points += [t for o in overrides for t in (o.start, o.end)]
    around = {p + d for p in points for d in (-TICK, timedelta(0), TICK)}
    inside = sorted(p for p in around if start <= p < end)
    step = max(1, len(inside) // MOST_SAMPLES)
    return inside[::step]


@SETTINGS
@given(schedule=schedules, data=st.data())
def test_runs_answer_as_on_call_does_at_every_boundary_and_random_instant(schedule, data):
    month = data.draw(months(schedule))
    overrides = data.draw(overrides_around(*month))
    runs = build_runs(schedule, overrides, *month)
    offsets = st.timedeltas(timedelta(0), month[1] - month[0] - TICK)
    randoms = [month[0] + offset for offset in data.draw(st.lists(offsets, max_size=10))]
    zone = ZoneInfo(data.draw(st.sampled_from(ZONES)))
    for n, at in enumerate(boundaries(schedule, runs.starts, overrides, month) + randoms):
        asked = at.astimezone(zone) if n % 2 else at  # any offset: the same instant, the same answer
        assert answer(runs.on_call(asked)) == answer(on_call(schedule, overrides, at)), at


@SETTINGS
@given(schedule=schedules, data=st.data())
def test_outside_their_month_runs_answer_nothing_so_the_caller_builds_the_right_month(schedule, data):
    start, end = data.draw(months(schedule))
    runs = build_runs(schedule, [], start, end)
    assert (runs.on_call(start - TICK), runs.on_call(end)) == (None, None)
    before, after = (
        build_runs(schedule, [], *month_of(start - TICK)),
        build_runs(schedule, [], *month_of(end)),
    )
    for at, other in ((start - TICK, before), (end, after)):
        assert answer(other.on_call(at)) == answer(on_call(schedule, [], at))


def always(person: str) -> Schedule:
    rotation = Rotation(
        type=RotationType.DAILY, participants=[person], start=datetime(2026, 1, 5), time_zone="UTC"
    )
    return Schedule(id="s", time_zone="UTC", layers=[Layer(name="daily", rotation=rotation)])


def test_a_run_longer_than_the_horizon_is_cut_at_the_horizon_around_each_instant():
    at = datetime(2026, 5, 17, 13, tzinfo=UTC)
    runs = build_runs(always("ana"), [], *month_of(at))
    (found,) = runs.on_call(at)
    assert (found.start, found.end) == (at - SEARCH_HORIZON, at + SEARCH_HORIZON)


def test_a_run_across_the_months_edge_is_whole_from_either_month():
    edge = datetime(2026, 6, 1, tzinfo=UTC)
    extra = Override(
        id="o", schedule="s", user="zed", start=edge - timedelta(hours=5), end=edge + timedelta(hours=7)
    )
    may, june = (build_runs(always("ana"), [extra], *month_of(at)) for at in (edge - TICK, edge))
    assert (
        may.on_call(edge - TICK)
        == june.on_call(edge)
        == [OnCall(user="zed", start=extra.start, end=extra.end)]
    )


def test_the_month_is_the_utc_calendar_month_whatever_offset_the_instant_has():
    new_york = ZoneInfo("America/New_York")
    late_march = datetime.combine(datetime(2026, 3, 31), time(22), tzinfo=new_york)  # 1 April, 02:00 UTC
    assert month_of(late_march) == (datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
    assert month_of(datetime(2026, 12, 9, tzinfo=UTC)) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )


def test_there_is_no_month_to_build_at_the_ends_of_time():
    assert month_of(datetime(1, 1, 20, tzinfo=UTC)) is None
    assert month_of(datetime(9999, 12, 20, tzinfo=UTC)) is None
    assert month_of(datetime(1, 3, 20, tzinfo=UTC)) is not None

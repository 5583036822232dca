"""The schedule service's on-call lookup (what escalation asks at every tick): kept runs, the same answers.

It answers as it did before runs were kept: `on_call` over the overrides of the 35 days either side,
read from the repository at every lookup. Runs are rebuilt when the overrides' revision or the
schedule's definition changes, and only then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klaxon.domain.errors import InvalidInput
from klaxon.domain.schedule.models import Layer, Override, Rotation, RotationType, Schedule
from klaxon.domain.schedule.oncall import SEARCH_HORIZON, on_call
from klaxon.services.schedule import schedules as module
from klaxon.services.schedule.oncall_runs import RunsCache
from klaxon.services.schedule.schedules import Roster, ScheduleService
from tests.fakes.memory import CountingIds, FixedClock, MemoryOverrides, MemoryTimeline, StaticKeyring
from tests.unit.schedule.schedule_strategies import PEOPLE, ranges, schedules

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AT = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # New York springs forward an hour later


class Config:
    """The roster the service reads, replaced as `config apply` replaces it."""

    def __init__(self, *schedules: Schedule) -> None:
        self.set(*schedules)

    def set(self, *schedules: Schedule) -> None:
        self.roster = Roster(schedules={s.id: s for s in schedules}, users={u: u for u in [*PEOPLE, "zed"]})

    def __call__(self) -> Roster:
        return self.roster


def service(config: Config, overrides: MemoryOverrides, runs: RunsCache | None = None) -> ScheduleService:
    return ScheduleService(
        roster=config,
        overrides=overrides,
        timeline=MemoryTimeline(),
        feeds=None,  # type: ignore[arg-type]  # calendar feeds play no part here
        keys=StaticKeyring.of(b"k" * 32),
        clock=FixedClock(AT),
        ids=CountingIds(),
        calendar=lambda *args: b"",
        runs=runs or RunsCache(),
    )


def before(schedule: Schedule, overrides: MemoryOverrides, at: datetime) -> list[tuple[str, str, str]]:
    """The lookup as the service made it before runs were kept: 35 days of overrides either side."""
    window = overrides.list(schedule.id, at - SEARCH_HORIZON, at + SEARCH_HORIZON)
    return [(o.user, o.start.isoformat(), o.end.isoformat()) for o in on_call(schedule, window, at)]


def answer(found: tuple[datetime, list[Any]]) -> list[tuple[str, str, str]]:
    return [(o.user, o.start.isoformat(), o.end.isoformat()) for o in found[1]]


def weekly(*people: str, zone: str = "America/New_York", schedule_id: str = "s") -> Schedule:
    rotation = Rotation(
        type=RotationType.WEEKLY, participants=list(people), start=datetime(2026, 1, 5, 9), time_zone=zone
    )
    return Schedule(id=schedule_id, time_zone=zone, layers=[Layer(name="weekly", rotation=rotation)])


@pytest.fixture
def builds(monkeypatch) -> list[datetime]:
    """The start of each month of runs the service builds."""
    built: list[datetime] = []
    real = module.build_runs

    def counted(schedule: Schedule, overrides: Any, start: datetime, end: datetime) -> Any:
        built.append(start)
        return real(schedule, overrides, start, end)

    monkeypatch.setattr(module, "build_runs", counted)
    return built


@st.composite
def stored(draw: st.DrawFn, start: datetime, end: datetime) -> MemoryOverrides:
    """Overrides inside [start, end), undated: where they overlap, the order they are listed in decides."""
    overrides = MemoryOverrides()
    fractions = st.tuples(st.floats(0, 1), st.floats(0, 1)).map(sorted)
    for n, ((first, last), user) in enumerate(
        draw(st.lists(st.tuples(fractions, st.sampled_from(PEOPLE)), max_size=6))
    ):
        begin = start + (end - start) * first
        length = (end - start) * (last - first) + timedelta(minutes=1)
        overrides.add(Override(id=f"o{n}", schedule="s", user=user, start=begin, end=begin + length))
    return overrides


@SETTINGS
@given(schedule=schedules, span=ranges(longest=timedelta(days=90)), data=st.data())
def test_the_service_answers_as_it_did_when_it_read_the_overrides_at_every_lookup(schedule, span, data):
    start, end = span
    overrides = data.draw(stored(start, end))
    schedules_service = service(Config(schedule), overrides)
    fractions = data.draw(st.lists(st.floats(0, 1), min_size=1, max_size=12))
    instants = [start + (end - start) * f for f in fractions]
    instants += [t for o in overrides.kept.values() for t in (o.start, o.end)]
    for at in instants:
        assert answer(schedules_service.on_call("s", at)) == before(schedule, overrides, at), at


def test_lookups_in_one_month_build_its_runs_once_and_read_no_overrides(builds):
    overrides = MemoryOverrides()
    schedules_service = service(Config(weekly("ana", "ben")), overrides)
    for hours in range(0, 24 * 20, 7):
        schedules_service.on_call("s", AT + timedelta(hours=hours))
    assert (builds, overrides.lists) == ([datetime(2026, 3, 1, tzinfo=UTC)], 1)


def test_an_override_added_through_the_service_shows_in_the_next_lookup(builds):
    schedules_service = service(Config(weekly("ana", "ben")), MemoryOverrides())
    assert answer(schedules_service.on_call("s", AT))[0][0] == "ana"
    schedules_service.add_override("s", "zed", AT - timedelta(hours=1), AT + timedelta(hours=1), actor="test")
    assert answer(schedules_service.on_call("s", AT)) == [
        ("zed", (AT - timedelta(hours=1)).isoformat(), (AT + timedelta(hours=1)).isoformat())
    ]
    assert len(builds) == 2


def test_an_override_removed_elsewhere_shows_once_the_revision_says_so(builds):
    overrides = MemoryOverrides()
    overrides.add(Override(id="o", schedule="s", user="zed", start=AT, end=AT + timedelta(hours=1)))
    schedules_service = service(Config(weekly("ana", "ben")), overrides)
    assert answer(schedules_service.on_call("s", AT))[0][0] == "zed"
    overrides.remove("s", "o")  # as another process would: the revision moves on
    assert answer(schedules_service.on_call("s", AT))[0][0] == "ana"
    assert len(builds) == 2


def test_an_equal_definition_read_again_keeps_the_runs_and_a_changed_one_rebuilds_them(builds):
    config = Config(weekly("ana", "ben"))
    schedules_service = service(config, MemoryOverrides())
    schedules_service.on_call("s", AT)
    config.set(weekly("ana", "ben"))  # the configuration re-read: a new, equal object
    schedules_service.on_call("s", AT)
    assert len(builds) == 1
    config.set(weekly("cy", "ben"))
    assert answer(schedules_service.on_call("s", AT))[0][0] == "cy"
    assert answer(schedules_service.on_call("s", AT - timedelta(days=7)))[0][0] == "ben"
    assert len(builds) == 2


def test_each_schedule_keeps_its_own_runs(builds):
    schedules_service = service(
        Config(weekly("ana", "ben"), weekly("cy", "dee", schedule_id="t")), MemoryOverrides()
    )
    assert [answer(schedules_service.on_call(s, AT))[0][0] for s in ("s", "t", "s", "t")] == [
        "ana",
        "cy",
    ] * 2
    assert len(builds) == 2


def test_months_are_built_as_asked_and_the_earliest_built_is_dropped_past_the_limit(builds):
    schedules_service = service(Config(weekly("ana", "ben")), MemoryOverrides(), RunsCache(months=2))
    months = [datetime(2026, m, 15, tzinfo=UTC) for m in (1, 2, 3)]
    for at in [*months, months[2], months[1], months[0]]:
        schedules_service.on_call("s", at)
    assert [b.month for b in builds] == [1, 2, 3, 1]


def daily_utc() -> Schedule:
    daily = Rotation(
        type=RotationType.DAILY, participants=["ana", "ben"], start=datetime(2026, 1, 5), time_zone="UTC"
    )
    return Schedule(id="s", time_zone="UTC", layers=[Layer(name="daily", rotation=daily)])


def test_near_the_ends_of_time_where_no_month_can_be_built_the_lookup_is_made_from_scratch(builds):
    schedules_service = service(Config(daily_utc()), MemoryOverrides())
    for at in (datetime(1, 2, 20, tzinfo=UTC), datetime(9999, 11, 20, tzinfo=UTC)):
        assert answer(schedules_service.on_call("s", at)) == before(daily_utc(), MemoryOverrides(), at)
    assert builds == []


@pytest.mark.parametrize(
    ("schedule", "at"),
    [
        (daily_utc(), datetime(1, 1, 9, tzinfo=UTC)),  # 35 days before it is before the year 1
        (weekly("ana", "ben"), datetime(9999, 12, 9, tzinfo=UTC)),  # the next hand-off is past 9999
    ],
)
def test_where_the_lookup_could_not_be_made_it_still_cannot(schedule, at):
    with pytest.raises(OverflowError):
        before(schedule, MemoryOverrides(), at)
    with pytest.raises(OverflowError):
        service(Config(schedule), MemoryOverrides()).on_call("s", at)


def test_a_naive_instant_is_refused():
    with pytest.raises(InvalidInput):
        service(Config(weekly("ana")), MemoryOverrides()).on_call("s", datetime(2026, 3, 8, 9))

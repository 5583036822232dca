"""Hypothesis strategies and independent oracles for the schedule property tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from klaxon.domain.schedule.models import (
    Layer,
    Override,
    Restriction,
    Rotation,
    RotationType,
    Schedule,
    Shift,
    Weekday,
)

ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Adelaide", "Australia/Lord_Howe"]
PEOPLE = ["ana", "ben", "cy", "dee", "eli"]
# Wall times that fall in a gap or a fold in at least one of ZONES, and some ordinary ones.
TRICKY_TIMES = [
    time(0, 0),
    time(1, 0),
    time(1, 30),
    time(1, 45),
    time(2, 0),
    time(2, 15),
    time(2, 30),
    time(9, 0),
]


@cache
def transitions(zone: str, first_year: int = 2023, last_year: int = 2029) -> list[datetime]:
    """The instants (UTC) when `zone` changes its offset, found by scanning days and bisecting."""
    tz = ZoneInfo(zone)
    found: list[datetime] = []
    at, stop = datetime(first_year, 1, 1, tzinfo=UTC), datetime(last_year, 1, 1, tzinfo=UTC)
    while at < stop:
        after = at + timedelta(days=1)
        if at.astimezone(tz).utcoffset() != after.astimezone(tz).utcoffset():
            lo, hi = at, after
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                same = mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset()
                lo, hi = (mid, hi) if same else (lo, mid)
            found.append(hi.replace(microsecond=0))
        at = after
    return found


def near_transition(zone: str, at: datetime, within: timedelta = timedelta(hours=3)) -> bool:
    tz = ZoneInfo(zone)
    return (at - within).astimezone(tz).utcoffset() != (at + within).astimezone(tz).utcoffset()


def covering(shifts: list[Shift], at: datetime) -> Shift | None:
    return next((s for s in shifts if s.start <= at < s.end), None)


def user_runs(shifts: list[Shift]) -> list[Shift]:
    """Touching shifts of the same user joined, whatever layer they come from."""
    runs: list[Shift] = []
    for shift in shifts:
        if runs and runs[-1].end == shift.start and runs[-1].user == shift.user:
            runs[-1] = runs[-1].model_copy(update={"end": shift.end})
        else:
            runs.append(shift)
    return runs


def naively_inside(restrictions: list[Restriction], zone: str, at: datetime) -> bool:
    """Whether the wall clock at `at` reads inside a restriction; exact away from DST transitions."""
    local = at.astimezone(ZoneInfo(zone))
    wall, today, yesterday = local.time(), local.weekday(), (local.date() - timedelta(days=1)).weekday()
    for r in restrictions:
        days = {list(Weekday).index(d) for d in r.days}
        if r.start < r.end:
            if today in days and r.start <= wall < r.end:
                return True
        elif (today in days and wall >= r.start) or (yesterday in days and wall < r.end):
            return True
    return False


wall_times = st.one_of(st.sampled_from(TRICKY_TIMES), st.times().map(lambda t: t.replace(microsecond=0)))


@st.composite
def rotations(draw: st.DrawFn, zone: str | None = None, kinds: list[RotationType] | None = None) -> Rotation:
    kind = draw(st.sampled_from(kinds or list(RotationType)))
    day = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
    lengths = {"shift_hours": draw(st.integers(1, 72))} if kind is RotationType.CUSTOM else {}
    if kind is not RotationType.CUSTOM:
        lengths = {"shift_length": draw(st.integers(1, 12 if kind is RotationType.HOURLY else 3))}
    return Rotation(
        type=kind,
        participants=draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True)),
        start=datetime.combine(day, draw(wall_times)),
        time_zone=zone or draw(st.sampled_from(ZONES)),
        **lengths,
    )


restrictions = st.builds(
    Restriction,
    days=st.lists(st.sampled_from(list(Weekday)), min_size=1, max_size=7, unique=True),
    start=wall_times,
    end=wall_times,
)


@st.composite
def layers(draw: st.DrawFn, restricted: bool | None = None, zone: str | None = None) -> Layer:
    bounds = (1, 2) if restricted else (0, 0) if restricted is False else (0, 2)
    return Layer(
        name=draw(st.sampled_from(["base", "follow", "top"])),
        rotation=draw(rotations(zone=zone)),
        restrictions=draw(st.lists(restrictions, min_size=bounds[0], max_size=bounds[1])),
    )


schedules = st.builds(
    Schedule,
    id=st.just("s"),
    time_zone=st.sampled_from(ZONES),
    layers=st.lists(layers(), min_size=1, max_size=3),
)


@st.composite
def ranges(
    draw: st.DrawFn, zone: str | None = None, longest: timedelta = timedelta(days=30)
) -> tuple[datetime, datetime]:
    """A range that often straddles a DST transition of `zone` (or of any zone)."""
    zone = zone or draw(st.sampled_from(ZONES))
    anchors = transitions(zone) or [datetime(2026, 3, 8, tzinfo=UTC)]
    random = st.datetimes(
        min_value=datetime(2023, 6, 1), max_value=datetime(2028, 6, 1), timezones=st.just(UTC)
    )
    anchor = draw(st.one_of(st.sampled_from(anchors), random))
    start = anchor - draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)))
    return start, start + draw(st.timedeltas(min_value=timedelta(minutes=1), max_value=longest))


def overrides_within(start: datetime, end: datetime, users: list[str]) -> st.SearchStrategy[list[Override]]:
    def one(pair: tuple[float, float], user: str, created: int) -> Override:
        lo, hi = sorted(pair)
        span = end - start
        return Override(
            id=f"o{created}",
            schedule="s",
            user=user,
            start=min(start + span * lo, end - timedelta(microseconds=1)),  # begins inside the range
            end=start + span * hi + timedelta(minutes=1),
            created_at=datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=created),
        )

    fraction = st.floats(0, 1)
    override = st.builds(one, st.tuples(fraction, fraction), st.sampled_from(users), st.integers(0, 10_000))
    return st.lists(override, max_size=3)


def instants(start: datetime, end: datetime) -> st.SearchStrategy[list[datetime]]:
    span = end - start
    last = end - timedelta(microseconds=1)
    return st.lists(st.floats(0, 1).map(lambda f: min(start + span * f, last)), min_size=1, max_size=15)

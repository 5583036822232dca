"""GoAlert-style walks: a daily hand-off checked every 30 seconds across each 2026 DST change, per zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from klaxon.domain.schedule.models import Layer, Rotation, RotationType, Schedule
from klaxon.domain.schedule.oncall import on_call, shifts
from tests.unit.schedule.schedule_strategies import covering, transitions

STEP, REACH = timedelta(seconds=30), timedelta(hours=4)
# 02:30 everywhere, plus the wall times that are missing or repeated in each zone's own changes.
HAND_OFFS = {
    "America/New_York": [time(2, 30), time(1, 30)],
    "Europe/London": [time(2, 30), time(1, 30)],
    "Asia/Kolkata": [time(2, 30)],
    "Australia/Adelaide": [time(2, 30)],
    "Australia/Lord_Howe": [time(2, 30), time(2, 15), time(1, 45)],
}
KOLKATA_0230 = datetime(2026, 3, 7, 21, tzinfo=UTC)  # no DST: walk an ordinary night instead
WALKS = [
    pytest.param(zone, wall, centre, id=f"{zone}-{wall:%H%M}-{centre:%Y%m%d}")
    for zone, walls in HAND_OFFS.items()
    for wall in walls
    for centre in (transitions(zone, 2026, 2027) or [KOLKATA_0230])
]


def daily_at(wall: time, zone: str) -> Schedule:
    rotation = Rotation(
        type=RotationType.DAILY,
        participants=["ana", "ben", "cy"],
        start=datetime.combine(datetime(2026, 1, 1), wall),
        time_zone=zone,
    )
    return Schedule(id="s", time_zone=zone, layers=[Layer(name="daily", rotation=rotation)])


def walk(centre: datetime) -> list[datetime]:
    return [centre - REACH + STEP * i for i in range(2 * REACH // STEP)]


def expected_hand_off(wall: time, zone: str, centre: datetime) -> datetime:
    """The rule, read off the wall clock: the first instant showing `wall`, or `wall` plus the gap."""
    tz = ZoneInfo(zone)
    showing = lambda target: [t for t in walk(centre) if t.astimezone(tz).time() == target]  # noqa: E731
    if matches := showing(wall):
        return matches[0]
    before, after = (centre - REACH).astimezone(tz).utcoffset(), (centre + REACH).astimezone(tz).utcoffset()
    assert before is not None and after is not None
    return showing((datetime.combine(centre.date(), wall) + (after - before)).time())[0]


@pytest.mark.parametrize(("zone", "wall", "centre"), WALKS)
def test_on_call_agrees_with_shifts_every_30_seconds_across_the_change(zone, wall, centre):
    schedule = daily_at(wall, zone)
    final = shifts(schedule, [], centre - REACH, centre + REACH)
    for at in walk(centre):
        expected = covering(final, at)
        assert expected is not None
        assert [o.user for o in on_call(schedule, [], at)] == [expected.user], at


@pytest.mark.parametrize(("zone", "wall", "centre"), WALKS)
def test_the_hand_off_happens_once_at_the_instant_the_rule_names(zone, wall, centre):
    schedule = daily_at(wall, zone)
    users = [(at, on_call(schedule, [], at)[0]) for at in walk(centre)]
    changes = [(at, now) for (_, before), (at, now) in pairwise(users) if before.user != now.user]
    assert [at for at, _ in changes] == [expected_hand_off(wall, zone, centre)]
    assert changes[0][1].start == changes[0][0]

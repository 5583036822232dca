"""Preview a schedule change: who gains and who loses which on-call time between two configs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import ConfigDict, computed_field

from klaxon.domain.model import Model
from klaxon.domain.schedule.models import Schedule
from klaxon.domain.schedule.oncall import shifts
from klaxon.domain.schedule.spans import Window, merge_windows
from klaxon.domain.schedule.zones import as_utc


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Interval(Model):
    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime


def _hours(intervals: Sequence[Interval]) -> float:
    return sum((i.end - i.start for i in intervals), timedelta(0)) / timedelta(hours=1)


class UserChange(Model):
    """The on-call time one user gains and loses in one schedule."""

    model_config = ConfigDict(frozen=True)

    user: str
    gained: list[Interval]
    lost: list[Interval]

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented way to serialise a property
    @property
    def hours_gained(self) -> float:
        return _hours(self.gained)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def hours_lost(self) -> float:
        return _hours(self.lost)


class ScheduleChange(Model):
    """A schedule that is new, gone, or puts different people on call; users sorted by id."""

    model_config = ConfigDict(frozen=True)

    schedule: str
    change: Change
    users: list[UserChange]


def subtract(a: Sequence[Window], b: Sequence[Window]) -> list[Window]:
    """The parts of `a` outside `b`; each sorted and not overlapping itself."""
    out: list[Window] = []
    j = 0
    for lo, hi in a:
        while j < len(b) and b[j][1] <= lo:
            j += 1
        at, k = lo, j
        while k < len(b) and b[k][0] < hi:
            if b[k][0] > at:
                out.append((at, b[k][0]))
            at, k = max(at, b[k][1]), k + 1
        if at < hi:
            out.append((at, hi))
    return out


def _by_user(schedule: Schedule | None, start: datetime, end: datetime) -> dict[str, list[Window]]:
    """Who the schedule (layers only: configs carry no overrides) puts on call, user by user."""
    if schedule is None:
        return {}
    found: dict[str, list[Window]] = {}
    for shift in shifts(schedule, (), start, end):
        found.setdefault(shift.user, []).append((shift.start, shift.end))
    return {user: merge_windows(windows) for user, windows in found.items()}


def _intervals(windows: list[Window]) -> list[Interval]:
    return [Interval(start=lo, end=hi) for lo, hi in windows]


def diff_schedule(
    old: Schedule | None, new: Schedule | None, start: datetime, end: datetime
) -> ScheduleChange | None:
    """What changes for each user when `old` becomes `new` over [start, end); None if nobody's time does.

    Only who is on call counts: moving the same person's time to another layer is no change.
    """
    named = new or old
    if named is None:
        return None
    start, end = as_utc(start), as_utc(end)
    before, after = _by_user(old, start, end), _by_user(new, start, end)
    users = [
        UserChange(
            user=user,
            gained=_intervals(subtract(after.get(user, []), before.get(user, []))),
            lost=_intervals(subtract(before.get(user, []), after.get(user, []))),
        )
        for user in sorted(set(before) | set(after))
    ]
    users = [u for u in users if u.gained or u.lost]
    change = Change.ADDED if old is None else Change.REMOVED if new is None else Change.CHANGED
    if change is Change.CHANGED and not users:
        return None
    return ScheduleChange(schedule=named.id, change=change, users=users)


def diff_schedules(
    old: Sequence[Schedule], new: Sequence[Schedule], start: datetime, end: datetime
) -> list[ScheduleChange]:
    """Every schedule added, removed, or changed in who is on call over [start, end), by schedule id."""
    before, after = {s.id: s for s in old}, {s.id: s for s in new}
    ids = sorted(set(before) | set(after))
    changes = (diff_schedule(before.get(i), after.get(i), start, end) for i in ids)
    return [change for change in changes if change is not None]

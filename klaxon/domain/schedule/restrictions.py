"""Restriction windows: when, in the rotation's zone, a restricted layer may have anyone on call."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from klaxon.domain.schedule.models import Restriction, Weekday
from klaxon.domain.schedule.spans import Window, merge_windows
from klaxon.domain.schedule.zones import wall_to_utc

_DAY = timedelta(days=1)
_WEEKDAY = {day: number for number, day in enumerate(Weekday)}  # as date.weekday(); Monday is 0


def restriction_windows(
    restrictions: list[Restriction], tz: ZoneInfo, start: datetime, end: datetime
) -> list[Window]:
    """The instants in [start, end) inside any restriction, as sorted, joined windows.

    Each restriction opens at `start` on every listed weekday (the day names the opening day) and
    closes at `end` that day, or the next day when `end` <= `start` (overnight; equal means a full
    24 hours). Both ends are wall times in `tz`, resolved like hand-offs: a time in a spring-forward
    gap moves forward by the gap, a repeated time is its first occurrence. A window that resolves to
    nothing (it lies wholly in a gap) is empty that day.
    """
    days = [frozenset(_WEEKDAY[d] for d in r.days) for r in restrictions]
    # An overnight window opened the day before `start` may still be open at `start`.
    day, last = start.astimezone(tz).date() - _DAY, end.astimezone(tz).date()
    windows: list[Window] = []
    while day <= last:
        weekday = day.weekday()
        for restriction, open_days in zip(restrictions, days, strict=True):
            if weekday not in open_days:
                continue
            closes_on = day + _DAY if restriction.end <= restriction.start else day
            lo = max(wall_to_utc(day, restriction.start, tz), start)
            hi = min(wall_to_utc(closes_on, restriction.end, tz), end)
            windows.append((lo, hi))
        day += _DAY
    return merge_windows(windows)

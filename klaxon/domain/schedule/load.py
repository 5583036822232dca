"""On-call load and pay: per person, hours on call, off-hours, weekend hours, pages, and the stipend owed."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pydantic import ConfigDict

from klaxon.domain.model import Model
from klaxon.domain.schedule.models import Restriction, Shift, Weekday
from klaxon.domain.schedule.restrictions import restriction_windows
from klaxon.domain.schedule.spans import Window, merge_windows
from klaxon.domain.schedule.zones import as_utc, zone

WEEK = timedelta(weeks=1)
WORKDAYS = [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI]
NIGHT_STARTS, NIGHT_ENDS = time(22), time(7)
_CENT, _TICK = Decimal("0.01"), timedelta(microseconds=1)


@functools.cache
def _office_and_weekend() -> tuple[Restriction, Restriction]:
    """09:00-18:00 Monday to Friday, and the weekend. Made on first use: a Restriction made at import
    built its validator in every cold api function, 12 ms, for the load report alone."""
    return (
        Restriction(days=WORKDAYS, start=time(9), end=time(18)),
        Restriction(days=[Weekday.SAT, Weekday.SUN], start=time(0), end=time(0)),
    )


class PersonLoad(Model):
    """One person's on-call load over a report's range; hours are elapsed hours, not wall-clock ones."""

    model_config = ConfigDict(frozen=True)

    user: str
    time_zone: str
    hours_on_call: float
    off_hours: float
    weekend_hours: float
    pages: int
    night_pages: int
    stipend: Decimal | None = None


def stipend(weekly_rate: Decimal, on_call: timedelta) -> Decimal:
    """The weekly rate prorated by time on call over a 168-hour week, to the cent (half up)."""
    owed = weekly_rate * (on_call // _TICK) / (WEEK // _TICK)
    return owed.quantize(_CENT, rounding=ROUND_HALF_UP)


def is_night(at: datetime, time_zone: str) -> bool:
    """Whether `at` falls between 22:00 and 07:00 on the wall clock of `time_zone`."""
    local = as_utc(at).astimezone(zone(time_zone)).time()
    return local >= NIGHT_STARTS or local < NIGHT_ENDS


def overlap(a: Sequence[Window], b: Sequence[Window]) -> timedelta:
    """Total time inside both `a` and `b`; each sorted and not overlapping itself."""
    total, i, j = timedelta(0), 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _length(windows: Iterable[Window]) -> timedelta:
    return sum((hi - lo for lo, hi in windows), timedelta(0))


def _hours(span: timedelta) -> float:
    return span / timedelta(hours=1)


def _on_call_windows(shifts: Sequence[Shift], start: datetime, end: datetime) -> dict[str, list[Window]]:
    """Each user's time on call within [start, end); being on two schedules at once counts once."""
    found: dict[str, list[Window]] = {}
    for shift in shifts:
        lo, hi = max(as_utc(shift.start), start), min(as_utc(shift.end), end)
        found.setdefault(shift.user, []).append((lo, hi))
    return {user: merged for user, windows in found.items() if (merged := merge_windows(windows))}


def person_load(
    user: str,
    time_zone: str,
    on_call: list[Window],
    pages: Sequence[datetime],
    start: datetime,
    end: datetime,
    weekly_rate: Decimal | None,
) -> PersonLoad:
    """One person's figures; off-hours are outside 09:00-18:00 Monday to Friday in their own zone."""
    tz = zone(time_zone)
    office_hours, weekend = _office_and_weekend()
    total = _length(on_call)
    office = overlap(on_call, restriction_windows([office_hours], tz, start, end))
    paged = [at for at in pages if start <= as_utc(at) < end]
    return PersonLoad(
        user=user,
        time_zone=time_zone,
        hours_on_call=_hours(total),
        off_hours=_hours(total - office),
        weekend_hours=_hours(overlap(on_call, restriction_windows([weekend], tz, start, end))),
        pages=len(paged),
        night_pages=sum(1 for at in paged if is_night(at, time_zone)),
        stipend=None if weekly_rate is None else stipend(weekly_rate, total),
    )


def oncall_load(
    shifts: Sequence[Shift],
    time_zones: Mapping[str, str],
    start: datetime,
    end: datetime,
    weekly_rate: Decimal | None = None,
    pages: Mapping[str, Sequence[datetime]] | None = None,
) -> list[PersonLoad]:
    """Everyone on call or paged in [start, end), by user id.

    `shifts` may come from several schedules; `time_zones` maps users to IANA zones (UTC if missing);
    `pages` maps users to the instants they were paged. Being on call on two schedules at the same
    time is one hour on call, and paid once.
    """
    start, end = as_utc(start), as_utc(end)
    windows = _on_call_windows(shifts, start, end)
    pages = pages or {}
    paged = {user for user, times in pages.items() if any(start <= as_utc(at) < end for at in times)}
    people = sorted(set(windows) | paged)
    return [
        person_load(
            user,
            time_zones.get(user, "UTC"),
            windows.get(user, []),
            pages.get(user, ()),
            start,
            end,
            weekly_rate,
        )
        for user in people
    ]

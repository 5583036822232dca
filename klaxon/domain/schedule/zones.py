"""Wall-clock times to instants: the one place that decides what a missing or repeated local time means."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; ZoneInfo caches instances, so calling this per use is cheap."""
    return ZoneInfo(name)


def wall_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The instant at which clocks in `tz` show `wall` on `day`, in UTC.

    A wall time inside a spring-forward gap does not exist; it moves forward by the length of the
    gap (02:30 in New York on 2026-03-08 is 03:30 EDT; 02:15 on Lord Howe, whose gap is 30 minutes,
    is 02:45). A wall time that occurs twice at fall-back means its first occurrence. This is how
    RFC 5545, java.time and Python's fold=0 read such times, so other tools agree with us.
    """
    local = datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=tz)
    return local.astimezone(UTC)


def as_utc(at: datetime) -> datetime:
    """`at` in UTC; a naive datetime is refused because its instant would depend on the host."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no offset; schedule times must be timezone-aware")
    return at.astimezone(UTC)


def wall_length(start: datetime, end: datetime, tz: ZoneInfo) -> timedelta:
    """Time between two instants as the wall clock in `tz` counts it (a week across DST is 7 days)."""
    return end.astimezone(tz).replace(tzinfo=None) - start.astimezone(tz).replace(tzinfo=None)

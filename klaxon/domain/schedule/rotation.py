"""Rotation hand-offs: which participant holds which shift, found by index arithmetic."""

from __future__ import annotations

from datetime import datetime, timedelta

from klaxon.domain.schedule.models import Rotation, RotationType, Shift
from klaxon.domain.schedule.spans import Span, to_shifts
from klaxon.domain.schedule.zones import as_utc, wall_to_utc, zone


def _period_days(rotation: Rotation) -> int | None:
    """Days between hand-offs of a calendar rotation; None for rotations that step in elapsed hours."""
    if rotation.type is RotationType.DAILY:
        return rotation.shift_length
    if rotation.type is RotationType.WEEKLY:
        return 7 * rotation.shift_length
    return None


def _step(rotation: Rotation) -> timedelta:
    hours = rotation.shift_hours if rotation.type is RotationType.CUSTOM else rotation.shift_length
    return timedelta(hours=hours or 1)


def handoff(rotation: Rotation, index: int) -> datetime:
    """When shift `index` begins (shift 0 begins at `rotation.start`; negative indices run backwards).

    Daily and weekly rotations hand off at the wall-clock time of `rotation.start` in its zone on
    every hand-off day, so a 09:00 hand-off stays 09:00 across DST and a weekly shift spanning a
    change lasts 167 or 169 hours. Hourly and custom rotations step in elapsed hours from the first
    hand-off, so a 1-hour shift is always 60 minutes long and a hand-off never lands on a wall-clock
    hour that does not exist. A hand-off wall time inside a spring-forward gap moves forward by the
    length of the gap; one that occurs twice at fall-back is its first occurrence (see `wall_to_utc`).
    """
    tz = zone(rotation.time_zone)
    first_day, wall = rotation.start.date(), rotation.start.time()
    period = _period_days(rotation)
    if period is not None:
        return wall_to_utc(first_day + timedelta(days=index * period), wall, tz)
    return wall_to_utc(first_day, wall, tz) + index * _step(rotation)


def shift_index(rotation: Rotation, at: datetime) -> int:
    """The index of the shift holding `at`: the greatest index whose hand-off is at or before `at`."""
    at = as_utc(at)
    period = _period_days(rotation)
    if period is None:
        return (at - handoff(rotation, 0)) // _step(rotation)
    local_day = at.astimezone(zone(rotation.time_zone)).date()
    index = (local_day - rotation.start.date()).days // period
    # The estimate is off by at most one when `at` is on a hand-off day before the hand-off time.
    while handoff(rotation, index) > at:
        index -= 1
    while handoff(rotation, index + 1) <= at:
        index += 1
    return index


def participant(rotation: Rotation, index: int) -> str:
    """Who holds shift `index`: participants take turns in order, cycling, in both directions.

    Before `rotation.start` the rotation extends backwards with the same cycle (shift -1 belongs to the
    last participant), so a rotation answers consistently for any instant, including history.
    """
    return rotation.participants[index % len(rotation.participants)]


def shift_at(rotation: Rotation, at: datetime, layer: str = "") -> Shift:
    """The whole shift, unclipped, that holds `at`."""
    index = shift_index(rotation, at)
    return Shift(
        user=participant(rotation, index),
        start=handoff(rotation, index),
        end=handoff(rotation, index + 1),
        layer=layer,
    )


def rotation_spans(
    rotation: Rotation, start: datetime, end: datetime, layer: str = "", position: int = 0
) -> list[Span]:
    """The rotation's shifts clipped to [start, end); `position` is the layer's place in its schedule."""
    start, end = as_utc(start), as_utc(end)
    out: list[Span] = []
    if start >= end:
        return out
    index = shift_index(rotation, start)
    begins = handoff(rotation, index)
    while begins < end:
        ends = handoff(rotation, index + 1)
        # A zone that skips a whole day (Samoa, 2011) can make a calendar shift empty: nobody holds it.
        if ends > begins:
            who = participant(rotation, index)
            out.append(Span(max(begins, start), min(ends, end), who, layer, (position, index)))
        index, begins = index + 1, ends
    return out


def rotation_shifts(rotation: Rotation, start: datetime, end: datetime, layer: str = "") -> list[Shift]:
    """The rotation's shifts over [start, end), clipped to it, in UTC; they tile the range exactly."""
    return to_shifts(rotation_spans(rotation, start, end, layer))

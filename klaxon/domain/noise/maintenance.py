"""Maintenance windows, one-off or recurring (an RRULE), per service: alerts in them page nobody."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr
from pydantic import ConfigDict, Field, model_validator

from klaxon.domain.instants import Instant
from klaxon.domain.model import Model

# How far `occurrences` looks back for a recurring window's start: its duration plus a DST shift.
_SLACK = timedelta(days=1)


class MaintenanceWindow(Model):
    """Planned work on some services: `start`-`end` is the (first) occurrence, `rrule` repeats it.

    A recurring window repeats at the same wall-clock time in `time_zone`, so "every Sunday 02:00-04:00
    Europe/Berlin" stays at 02:00 across daylight saving changes.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name: str = Field(min_length=1)
    services: tuple[str, ...] = Field(min_length=1)
    start: Instant
    end: Instant
    rrule: str | None = None
    time_zone: str = "UTC"
    owner: str | None = None  # user id reminded before the window ends
    created_by: str | None = None
    announce: bool = False  # shown on the status page as scheduled maintenance
    created_at: Instant | None = None  # when it was added through the API (None: in the config)

    @model_validator(mode="after")
    def _well_formed(self) -> MaintenanceWindow:
        if self.end <= self.start:
            raise ValueError("a maintenance window ends after it starts")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from exc
        if self.rrule is not None:
            _rule(self)  # raises ValueError on a rule dateutil cannot read
        return self

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@functools.lru_cache(maxsize=256)  # windows are few and checked for every new incident: parse each once
def parse_rrule(text: str, start: datetime, time_zone: str) -> rrule:
    """The RRULE `text` repeating `start` at its wall-clock time in `time_zone`; ValueError if unreadable."""
    local_start = start.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None)
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    try:
        rule = rrulestr(body, dtstart=local_start, ignoretz=True)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"invalid rrule {text!r}: {exc}") from exc
    if not isinstance(rule, rrule):
        raise ValueError(f"rrule {text!r} must be one RRULE, not a set")
    return rule


def _rule(window: MaintenanceWindow) -> rrule:
    return parse_rrule(window.rrule or "", window.start, window.time_zone)


def _localize(naive: datetime, zone: ZoneInfo) -> datetime:
    return naive.replace(tzinfo=zone).astimezone(UTC)


def occurrences(
    window: MaintenanceWindow, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The window's occurrences (start, end), in UTC, that overlap [start, end)."""
    if window.rrule is None:
        if window.start < end and window.end > start:
            yield window.start.astimezone(UTC), window.end.astimezone(UTC)
        return
    zone = ZoneInfo(window.time_zone)
    duration = window.duration
    lower = (start - duration - _SLACK).astimezone(zone).replace(tzinfo=None)
    upper = (end + _SLACK).astimezone(zone).replace(tzinfo=None)
    for naive in _rule(window).between(lower, upper, inc=True):
        begins = _localize(naive, zone)
        ends = begins + duration
        if begins < end and ends > start:
            yield begins, ends


def current_occurrence(window: MaintenanceWindow, at: datetime) -> tuple[datetime, datetime] | None:
    """The occurrence in progress at `at`, if any."""
    return next(occurrences(window, at, at + timedelta(microseconds=1)), None)


def next_occurrence(
    window: MaintenanceWindow, after: datetime, horizon: timedelta = timedelta(days=400)
) -> tuple[datetime, datetime] | None:
    """The occurrence in progress at `after`, or the next to start within `horizon`."""
    return next(occurrences(window, after, after + horizon), None)


def ended(window: MaintenanceWindow, at: datetime) -> bool:
    """Whether the window has no occurrence in progress at `at` nor any after it: it mutes nothing again.
    A recurring window ends when its rule runs out (COUNT, UNTIL); a rule without either never ends."""
    if window.rrule is None:
        return window.end <= at
    rule, zone = _rule(window), ZoneInfo(window.time_zone)
    naive = rule.after((at - window.duration - _SLACK).astimezone(zone).replace(tzinfo=None), inc=True)
    while naive is not None:
        if _localize(naive, zone) + window.duration > at:
            return False
        naive = rule.after(naive)
    return True


def covers(window: MaintenanceWindow, service: str) -> bool:
    return service in window.services


def active_windows(
    windows: Iterable[MaintenanceWindow], service: str, at: datetime
) -> list[MaintenanceWindow]:
    """The windows covering `service` that are in progress at `at`: an alert then pages no one."""
    return [w for w in windows if covers(w, service) and current_occurrence(w, at) is not None]


def ending_soon(
    windows: Iterable[MaintenanceWindow], at: datetime, lead: timedelta
) -> list[tuple[MaintenanceWindow, datetime]]:
    """Windows in progress at `at` whose occurrence ends within `lead`: time to remind their owner."""
    found = []
    for window in windows:
        occurrence = current_occurrence(window, at)
        if occurrence is not None and occurrence[1] - at <= lead:
            found.append((window, occurrence[1]))
    return found

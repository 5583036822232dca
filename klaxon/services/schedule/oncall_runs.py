"""The on-call runs a process has built, kept per schedule for as long as they are still true.

Runs (klaxon/domain/schedule/runs.py) are built a month at a time from a schedule's definition and its
overrides. They stay true until either changes, so they are kept under both: the definition itself
(configuration is re-read now and then; an equal definition keeps them) and the overrides' revision
(`OverrideRepository.revision`). A lookup that finds them costs a binary search.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from klaxon.domain.schedule.models import Schedule
from klaxon.domain.schedule.runs import OnCallRuns

MONTHS_KEPT = 24
"""Months of runs kept per schedule: escalation asks about now; the API may ask about any month."""


@dataclass
class _Kept:
    schedule: Schedule
    revision: int
    months: dict[tuple[int, int], OnCallRuns] = field(default_factory=dict)  # earliest built first
    last: OnCallRuns | None = None  # the month asked about last: usually the one asked about next


class RunsCache:
    """Built runs by schedule id; thread-safe (handlers of one process share it)."""

    def __init__(self, months: int = MONTHS_KEPT) -> None:
        self.months = months
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()

    def find(self, schedule: Schedule, revision: int, at: datetime) -> OnCallRuns | None:
        """The runs that answer `at` for this definition at this overrides revision, if built."""
        with self._lock:
            kept = self._current(schedule, revision)
            if kept is None:
                return None
            if kept.last is not None and kept.last.covers(at):
                return kept.last
            runs = kept.months.get(_month(at))
            if runs is None or not runs.covers(at):
                return None
            kept.last = runs
            return runs

    def keep(self, schedule: Schedule, revision: int, runs: OnCallRuns) -> None:
        """Keep `runs`, built from this definition and overrides at least as new as `revision`.

        Runs kept under another definition or revision of the schedule are dropped.
        """
        with self._lock:
            kept = self._current(schedule, revision)
            if kept is None:
                kept = self._kept[schedule.id] = _Kept(schedule, revision)
            month = _month(runs.start)
            kept.months.pop(month, None)
            kept.months[month] = kept.last = runs
            while len(kept.months) > self.months:
                del kept.months[next(iter(kept.months))]

    def _current(self, schedule: Schedule, revision: int) -> _Kept | None:
        kept = self._kept.get(schedule.id)
        if kept is None or kept.revision != revision:
            return None
        if kept.schedule is not schedule:
            if kept.schedule != schedule:
                return None
            kept.schedule = schedule  # the same definition, read again: compare by identity from now on
        return kept


def _month(at: datetime) -> tuple[int, int]:
    """The UTC calendar month of `at` (runs are built a month at a time: `runs.month_of`), as a key
    cheaper to make than the month's first instant."""
    utc = at.astimezone(UTC)
    return utc.year, utc.month

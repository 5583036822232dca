"""Who is on call, precomputed: a schedule's on-call runs over a stretch of time, searched with `bisect`.

`oncall.on_call` answers one instant from scratch: it lists the layers' shifts around it (dozens of
time-zone conversions), clips them to the restrictions, stacks layers and overrides and joins the
result, every time. Escalation asks the same schedule again and again, and the answer only changes
when the schedule or its overrides do. So the runs of a whole stretch (a month) are computed once and
each lookup is a binary search over them, with the same answer `on_call` gives.

The same answer, exactly: `on_call` names the person's continuous run around the instant, cut at
`SEARCH_HORIZON` either side. Runs are therefore built `SEARCH_HORIZON` beyond both ends of the
stretch, so every cut falls inside what was built; an instant outside the stretch gets None, and the
caller builds the stretch that holds it (or asks `on_call`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.schedule.layers import final_spans
from klaxon.domain.schedule.models import OnCall, Override, Schedule
from klaxon.domain.schedule.oncall import SEARCH_HORIZON
from klaxon.domain.schedule.spans import Window, join
from klaxon.domain.schedule.zones import as_utc

__all__ = ["OnCallRuns", "build_runs", "month_of", "reach"]


def month_of(at: datetime) -> Window | None:
    """The calendar month (UTC) holding `at`: the stretch escalation's lookups share.

    None within a month and `SEARCH_HORIZON` of the ends of `datetime`'s range, where the runs around
    it cannot be built; ask `on_call` there.
    """
    at = as_utc(at)
    start = at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    try:
        if start.month == 12:
            end = start.replace(year=start.year + 1, month=1)
        else:
            end = start.replace(month=start.month + 1)
        reach(start, end)
    except (ValueError, OverflowError):
        return None
    return start, end


def reach(start: datetime, end: datetime) -> Window:
    """What the runs exact over [start, end) are computed from: `SEARCH_HORIZON` more either side.

    The overrides that overlap this window are the ones `build_runs` needs.
    """
    return as_utc(start) - SEARCH_HORIZON, as_utc(end) + SEARCH_HORIZON


@dataclass(frozen=True, slots=True)
class OnCallRuns:
    """Everyone's continuous runs on call, sorted and apart; exact for instants in [start, end).

    Run i is `users[i]` over [starts[i], ends[i]). Its answer is made the first time it is asked for
    and kept (`made`): lookups cluster in a few runs (now), and a month of answers made up front would
    cost ten times the memory of the runs. Only a run longer than the horizon (`long[i]`) is cut per
    instant.
    """

    start: datetime
    end: datetime
    starts: tuple[datetime, ...]
    ends: tuple[datetime, ...]
    users: tuple[str, ...]
    long: tuple[bool, ...]
    made: list[OnCall | None]

    def covers(self, at: datetime) -> bool:
        """Whether `on_call(at)` is answered here (else it returns None)."""
        return self.start <= at < self.end

    def on_call(self, at: datetime) -> list[OnCall] | None:
        """Who is on call at `at`, as `oncall.on_call` answers; None if `at` is outside [start, end)."""
        if not self.start <= at < self.end:
            return None
        i = bisect_right(self.starts, at) - 1
        if i < 0 or self.ends[i] <= at:
            return []
        if self.long[i]:
            at = as_utc(at)
            start, end = max(self.starts[i], at - SEARCH_HORIZON), min(self.ends[i], at + SEARCH_HORIZON)
            return [OnCall(user=self.users[i], start=start, end=end)]
        found = self.made[i]
        if found is None:  # two threads may both make it: equal answers, either kept
            found = self.made[i] = OnCall(user=self.users[i], start=self.starts[i], end=self.ends[i])
        return [found]


def build_runs(
    schedule: Schedule, overrides: Sequence[Override], start: datetime, end: datetime
) -> OnCallRuns:
    """The runs that answer every instant in [start, end); `overrides` must hold every override of the
    schedule that overlaps `reach(start, end)` (more do no harm)."""
    start, end = as_utc(start), as_utc(end)
    lo, hi = reach(start, end)
    runs = join(final_spans(schedule, overrides, lo, hi), by_layer=False)
    return OnCallRuns(
        start=start,
        end=end,
        starts=tuple(run.start for run in runs),
        ends=tuple(run.end for run in runs),
        users=tuple(run.user for run in runs),
        # A run no longer than the horizon is never cut: from any instant in it, both its ends are within.
        long=tuple(run.end - run.start > SEARCH_HORIZON for run in runs),
        made=[None] * len(runs),
    )

"""Who is on call: a schedule's final shifts over a range, and the person on call at an instant."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta

from klaxon.domain.schedule.layers import final_spans, layer_shifts
from klaxon.domain.schedule.models import OnCall, Override, Schedule, Shift
from klaxon.domain.schedule.rotation import handoff, shift_index
from klaxon.domain.schedule.spans import join, to_shifts
from klaxon.domain.schedule.zones import as_utc

__all__ = ["SEARCH_HORIZON", "layer_shifts", "on_call", "shifts"]

SEARCH_HORIZON = timedelta(days=35)
"""How far either side of an instant `on_call` looks for the ends of the current span."""

_MIN_REACH, _FIRST_REACH = timedelta(hours=1), timedelta(days=1)


def shifts(schedule: Schedule, overrides: Sequence[Override], start: datetime, end: datetime) -> list[Shift]:
    """The schedule's final shifts over [start, end), clipped to it, sorted and non-overlapping.

    Touching shifts of the same user from the same layer (or both from overrides) are joined.
    """
    return to_shifts(join(final_spans(schedule, overrides, start, end), by_layer=True))


def _neighbourhood(schedule: Schedule, at: datetime) -> tuple[timedelta, timedelta]:
    """How far back and ahead of `at` to look first.

    As far as the layers' current shifts reach (found by arithmetic, without listing shifts), but no
    more than a day: restrictions and overrides usually end a span sooner, and widening is cheap.
    """
    back, ahead = _MIN_REACH, _MIN_REACH
    for layer in schedule.layers:
        index = shift_index(layer.rotation, at)
        back = max(back, at - handoff(layer.rotation, index))
        ahead = max(ahead, handoff(layer.rotation, index + 1) - at)
    return min(back, _FIRST_REACH), min(ahead, _FIRST_REACH)


def on_call(schedule: Schedule, overrides: Sequence[Override], at: datetime) -> list[OnCall]:
    """Who is on call at `at` (one person, or nobody in a gap), with the bounds of their span.

    The span is the person's continuous time on call around `at`, whichever layers or overrides it
    comes from, cut at `SEARCH_HORIZON` either side. Only the neighbourhood of `at` is computed: the
    layers' current shifts come from index arithmetic, and the window widens only while the span
    reaches its edge.
    """
    at = as_utc(at)
    back, ahead = _neighbourhood(schedule, at)
    while True:
        lo, hi = at - back, at + ahead
        runs = join(final_spans(schedule, overrides, lo, hi), by_layer=False)
        found = bisect_right([run.start for run in runs], at) - 1
        if found < 0 or runs[found].end <= at:
            return []
        run = runs[found]
        widen_back = run.start == lo and back < SEARCH_HORIZON
        widen_ahead = run.end == hi and ahead < SEARCH_HORIZON
        if not (widen_back or widen_ahead):
            return [OnCall(user=run.user, start=run.start, end=run.end)]
        if widen_back:
            back = min(back * 2, SEARCH_HORIZON)
        if widen_ahead:
            ahead = min(ahead * 2, SEARCH_HORIZON)

"""Weighted downtime of a set of spans in a window, merged: at each moment only the worst status among the
spans covering it counts (overlapping incidents are never counted twice), and moments inside an excluded
span (scheduled maintenance) count nothing. One sweep over the spans' edges: O(n log n)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.statuspage.models import ComponentStatus


@dataclass(frozen=True)
class Span:
    """A component held in `status` over [start, end)."""

    start: datetime
    end: datetime
    status: ComponentStatus


EXCLUDED = len(ComponentStatus)  # the counter slot of excluded spans, beside one per status rank


def weighted_seconds(
    spans: Iterable[Span],
    weights: Mapping[ComponentStatus, float],
    start: datetime,
    end: datetime,
    excluded: Iterable[tuple[datetime, datetime]] = (),
) -> float:
    """Seconds of downtime in [start, end): each moment weighs as the worst status covering it (0 outside
    every span, and inside an excluded span)."""
    events: list[tuple[datetime, int, int]] = []  # (when, +1 opens or -1 closes, counter slot)
    clipped = [(max(s.start, start), min(s.end, end), s.status.rank) for s in spans]
    clipped += [(max(a, start), min(b, end), EXCLUDED) for a, b in excluded]
    for left, right, slot in clipped:
        if left < right:
            events += [(left, 1, slot), (right, -1, slot)]
    events.sort(key=lambda e: e[0])
    by_rank = sorted(ComponentStatus, key=lambda s: s.rank, reverse=True)  # worst first
    open_count = [0] * (EXCLUDED + 1)
    total, previous = 0.0, start
    for when, change, slot in events:
        if when > previous and not open_count[EXCLUDED]:
            worst = next((s for s in by_rank if open_count[s.rank]), None)
            if worst is not None:
                total += weights.get(worst, 0.0) * (when - previous).total_seconds()
        previous = max(previous, when)
        open_count[slot] += change
    return total


def weight_now(spans: Iterable[Span], weights: Mapping[ComponentStatus, float], now: datetime) -> float:
    """The weight downtime accrues with at `now` (its worst status's), 0 when nothing covers `now`."""
    covering = [s.status for s in spans if s.start <= now < s.end]
    return weights.get(max(covering, key=lambda s: s.rank), 0.0) if covering else 0.0

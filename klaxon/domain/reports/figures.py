"""Summary figures of a set of durations (minutes): mean, median and 90th percentile, with the incidents
behind them, so each number can be checked."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from klaxon.domain.model import Model


class Figure(Model):
    count: int
    mean_minutes: float | None
    median_minutes: float | None
    p90_minutes: float | None
    incidents: list[int]  # the numbers of the incidents behind the figure


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (`share` in (0, 1]): a value that was really seen, never interpolated."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def figure(samples: Sequence[tuple[int, float]]) -> Figure:
    """(incident number, minutes) pairs as a Figure; None figures when there are none."""
    minutes = [m for _, m in samples]
    if not minutes:
        return Figure(count=0, mean_minutes=None, median_minutes=None, p90_minutes=None, incidents=[])
    return Figure(
        count=len(minutes),
        mean_minutes=round(statistics.fmean(minutes), 1),
        median_minutes=round(statistics.median(minutes), 1),
        p90_minutes=round(percentile(minutes, 0.9), 1),
        incidents=sorted(n for n, _ in samples),
    )


def rate(done: int, of: int) -> float | None:
    """done / of, rounded to a tenth of a percent as a share (0.5 is 50%); None of nothing."""
    return round(done / of, 3) if of else None

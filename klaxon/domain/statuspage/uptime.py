"""Uptime per component per day, from the time its public incidents held it in each status."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from klaxon.domain.sla.downtime import Span, weighted_seconds
from klaxon.domain.statuspage.models import ComponentStatus, PublicIncident
from klaxon.domain.statuspage.status import worst

# Statuspage's weighting: a major outage is down time, a partial outage counts 30 %, degraded
# performance and maintenance count nothing (the component works, slowly or as announced).
DOWNTIME_WEIGHT = {ComponentStatus.MAJOR_OUTAGE: 1.0, ComponentStatus.PARTIAL_OUTAGE: 0.3}
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Day:
    """One day of a component: its worst status, weighted down time, and the incidents behind them."""

    day: date
    status: ComponentStatus
    downtime_s: float
    incidents: tuple[str, ...]  # names, in start order


@dataclass(frozen=True)
class Uptime:
    days: tuple[Day, ...]  # oldest first, today last
    percent: float  # of the elapsed window; 100.0 with no down time

    @property
    def label(self) -> str:
        """`99.95 %`: rounded down, so a minute of down time never shows as 100 %."""
        return f"{math.floor(self.percent * 100) / 100:.2f} %"


def _interval(incident: PublicIncident, now: datetime) -> tuple[datetime, datetime]:
    return incident.started_at, min(incident.resolved_at or now, now)


def _weighted_seconds(spans: Sequence[tuple[datetime, datetime, ComponentStatus]]) -> float:
    """Down time in spans that may overlap: at each moment the worst status counts (the SLA budgets'
    computation, domain.sla.downtime, with Statuspage's weights)."""
    if not spans:
        return 0.0
    merged = [Span(start, end, status) for start, end, status in spans]
    return weighted_seconds(merged, DOWNTIME_WEIGHT, min(s.start for s in merged), max(s.end for s in merged))


def uptime(component: str, incidents: Iterable[PublicIncident], now: datetime, days: int = 90) -> Uptime:
    """The last `days` UTC days of `component`, today included up to `now`."""
    today = now.astimezone(UTC).date()
    first = datetime.combine(today - timedelta(days=days - 1), time(), UTC)
    relevant = sorted(
        (i for i in incidents if component in i.components and i.open_during(first, now)),
        key=lambda i: i.started_at,
    )
    result: list[Day] = []
    downtime = 0.0
    for n in range(days):
        start = first + n * DAY
        end = min(start + DAY, now)
        spans = []
        names = []
        for incident in relevant:
            began, ended = _interval(incident, now)
            if began < end and ended > start:
                spans.append((max(began, start), min(ended, end), incident.components[component]))
                names.append(incident.name)
        seconds = _weighted_seconds(spans)
        downtime += seconds
        status = worst(status for _, _, status in spans)
        result.append(Day(start.date(), status, seconds, tuple(names)))
    elapsed = (now - first).total_seconds()
    percent = 100.0 if downtime == 0 or elapsed <= 0 else max(0.0, 100.0 * (1 - downtime / elapsed))
    return Uptime(tuple(result), percent)

"""An error budget: (1 - target) times the window's length, against the weighted, merged downtime of the
components behind it so far in the window (an open incident counts up to now), with when it runs out at the
current burn. Calendar months are in the SLO's time zone; a rolling window is the last 30 days."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from klaxon.domain.model import Model
from klaxon.domain.sla.downtime import Span, weight_now, weighted_seconds

if TYPE_CHECKING:
    from klaxon.domain.sla.burn import AlertSource
from klaxon.domain.statuspage.models import ComponentStatus

DEFAULT_WEIGHTS: Mapping[ComponentStatus, float] = {
    ComponentStatus.MAJOR_OUTAGE: 1.0,
    ComponentStatus.PARTIAL_OUTAGE: 0.5,
    ComponentStatus.DEGRADED_PERFORMANCE: 0.0,
}
ROLLING = timedelta(days=30)


class WindowKind(StrEnum):
    CALENDAR_MONTH = "calendar_month"
    ROLLING_30D = "rolling_30d"


@dataclass(frozen=True)
class Slo:
    id: str
    components: frozenset[str]
    target: float  # percent: 99.9
    window: WindowKind = WindowKind.CALENDAR_MONTH
    time_zone: str = "UTC"
    weights: Mapping[ComponentStatus, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    exclude_maintenance: bool = True
    alerts: AlertSource | None = None  # an alert-driven SLO: burn-rate alerts, no customer budget


def month_of(moment: datetime, zone: str) -> tuple[datetime, datetime]:
    """The calendar month holding `moment`, in `zone`: [its first midnight, the next month's), in UTC (so
    a month with a daylight-saving change is its real length: Python subtracts times of one zone by the
    wall clock)."""
    local = moment.astimezone(ZoneInfo(zone))
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + timedelta(days=32)).replace(day=1)
    return first.astimezone(UTC), following.astimezone(UTC)


def window_of(slo: Slo, now: datetime) -> tuple[datetime, datetime]:
    if slo.window is WindowKind.ROLLING_30D:
        return now - ROLLING, now
    return month_of(now, slo.time_zone)


class Budget(Model):
    slo: str
    target: float
    window_start: datetime
    window_end: datetime
    allowed_minutes: float
    consumed_minutes: float
    remaining_minutes: float
    consumed_percent: float
    burning: float  # the weight downtime accrues with now (1.0: a major outage is open)
    breach_at: datetime | None  # when the budget runs out at the current burn (None: not burning)
    breached: bool


def budget(
    slo: Slo,
    target: float,
    spans: Sequence[Span],
    maintenance: Iterable[tuple[datetime, datetime]],
    now: datetime,
) -> Budget:
    """The budget of `target` (a customer's contract may promise more than the SLO) over the SLO's window
    at `now`, from the spans of its components and, when excluded, their maintenance."""
    start, end = window_of(slo, now)
    allowed = (1 - target / 100) * (end - start).total_seconds()
    excluded = list(maintenance) if slo.exclude_maintenance else []
    consumed = weighted_seconds(spans, slo.weights, start, min(now, end), excluded)
    remaining = allowed - consumed
    burning = 0.0 if any(a <= now < b for a, b in excluded) else weight_now(spans, slo.weights, now)
    breach_at = None
    if remaining <= 0:
        breach_at = None
    elif burning > 0:
        breach_at = now + timedelta(seconds=remaining / burning)
    return Budget(
        slo=slo.id,
        target=target,
        window_start=start,
        window_end=end,
        allowed_minutes=round(allowed / 60, 2),
        consumed_minutes=round(consumed / 60, 2),
        remaining_minutes=round(remaining / 60, 2),
        consumed_percent=round(100 * consumed / allowed, 2) if allowed > 0 else 0.0,
        burning=burning,
        breach_at=breach_at,
        breached=remaining < 0,
    )

"""Multi-window burn-rate alerts (the Google SRE workbook's, chapter 5) for SLOs whose downtime is the
time their alerts were firing: the burn rate over a window is the share of it that was down, divided
by the error budget's share (1 - target). A rule fires when both its long and its short window burn at
least its rate: the long window makes it significant, the short one makes it current (and lets it
reset quickly once the fire is out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from klaxon.domain.incident.models import Alert, AlertAction, Incident, Severity
from klaxon.domain.sla.downtime import Span, weighted_seconds
from klaxon.domain.sla.thresholds import INTEGRATION, SOURCE_KIND
from klaxon.domain.statuspage.models import ComponentStatus

DOWN = {ComponentStatus.MAJOR_OUTAGE: 1.0}


@dataclass(frozen=True)
class BurnRule:
    name: str
    rate: float
    long: timedelta
    short: timedelta
    severity: Severity  # critical pages; warning is a ticket (told, never paged)


RULES: tuple[BurnRule, ...] = (
    BurnRule("page-1h", 14.4, timedelta(hours=1), timedelta(minutes=5), Severity.CRITICAL),
    BurnRule("page-6h", 6.0, timedelta(hours=6), timedelta(minutes=30), Severity.CRITICAL),
    BurnRule("ticket-1d", 3.0, timedelta(days=1), timedelta(hours=2), Severity.WARNING),
    BurnRule("ticket-3d", 1.0, timedelta(days=3), timedelta(hours=6), Severity.WARNING),
)
LONGEST = max(rule.long for rule in RULES)


def burn_rate(spans: Sequence[Span], target: float, now: datetime, window: timedelta) -> float:
    """The share of (now - window, now] that was down, over the budget's share (1 - target/100)."""
    down = weighted_seconds(spans, DOWN, now - window, now)
    return down / window.total_seconds() / (1 - target / 100)


@dataclass(frozen=True)
class Burning:
    rule: BurnRule
    long_rate: float
    short_rate: float


def burning(spans: Sequence[Span], target: float, now: datetime) -> list[Burning]:
    """The rules that fire now (both windows at or over the rate), in the table's order."""
    found = []
    for rule in RULES:
        long_rate = burn_rate(spans, target, now, rule.long)
        short_rate = burn_rate(spans, target, now, rule.short)
        if long_rate >= rule.rate and short_rate >= rule.rate:
            found.append(Burning(rule, round(long_rate, 2), round(short_rate, 2)))
    return found


@dataclass(frozen=True)
class AlertSource:
    """Where an alert-driven SLO's downtime comes from: its service's incidents whose labels match."""

    service: str
    labels: Mapping[str, str]

    def matches(self, incident: Incident) -> bool:
        if incident.service != self.service or incident.drill:
            return False
        return all(incident.labels.get(k) == v for k, v in self.labels.items())


def burn_alert(
    slo: str, rule: BurnRule, found: Burning | None, service: str, *, alert_id: str, now: datetime
) -> Alert:
    """The trigger while a rule fires (`found`), or its resolve once it no longer does (None)."""
    window = f"{rule.long.total_seconds() / 3600:g} h and {rule.short.total_seconds() / 60:g} min"
    if found:
        rates = f"{found.long_rate:g}x ({found.short_rate:g}x now)"
        summary = f"SLO {slo} burns its error budget {rates}: over {rule.rate:g}x in {window}"
    else:
        summary = f"SLO {slo} burns its error budget under {rule.rate:g}x again"
    return Alert(
        id=alert_id,
        action=AlertAction.TRIGGER if found else AlertAction.RESOLVE,
        dedup_key=f"sla-burn:{slo}#{rule.name}",
        service=service,
        integration=INTEGRATION,
        source_kind=SOURCE_KIND,
        received_at=now,
        summary=summary,
        source=INTEGRATION,
        severity=rule.severity,
        labels={"alertname": "SLOBurnRate", "slo": slo, "rule": rule.name},
    )

"""Warnings before a breach: when a customer's budget passes a threshold (50, 75, 90 and 100% by default),
an alert into Klaxon's own pipeline, once per customer, SLO, threshold and window. Below `page_at` it is a
warning (a P3: told, never paged); from it on, critical (a P1: paged). Routing rules see its labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from klaxon.domain.incident.models import Alert, AlertAction, Severity
from klaxon.domain.sla.customers import CustomerBudget

SOURCE_KIND = "sla"
INTEGRATION = "sla:budgets"
DEFAULT_THRESHOLDS = (50, 75, 90, 100)


@dataclass(frozen=True)
class AlertPolicy:
    service: str  # the service the alerts open incidents on
    thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS
    page_at: int = 90
    runs_out_within: timedelta = timedelta(minutes=30)  # a budget running out this soon pages


def crossed(found: CustomerBudget, thresholds: Sequence[int]) -> list[int]:
    """The thresholds (percent of the budget) its consumption has reached."""
    return [t for t in sorted(thresholds) if found.budget.consumed_percent >= t]


RUNS_OUT = "runs-out"  # the alert of a budget about to run out, beside the numbered thresholds


def runs_out_soon(found: CustomerBudget, policy: AlertPolicy, now: datetime) -> bool:
    """Whether the budget runs out within `runs_out_within` at the current burn (not yet spent)."""
    at = found.budget.breach_at
    return at is not None and not found.budget.breached and at - now <= policy.runs_out_within


def once_key(found: CustomerBudget, threshold: int | str) -> str:
    """What makes an alert once: the customer, the SLO, the threshold and the window."""
    window = found.budget.window_start.strftime("%Y-%m-%dT%H%M")
    return f"{found.customer}#{found.budget.slo}#{threshold}#{window}"


def threshold_alert(
    found: CustomerBudget, threshold: int | str, policy: AlertPolicy, *, alert_id: str, now: datetime
) -> Alert:
    """The alert of a threshold passed (a percent), or of the budget about to run out (`RUNS_OUT`: paged)."""
    budget = found.budget
    runs_out = (
        f"; at this burn it runs out at {budget.breach_at:%Y-%m-%d %H:%M} UTC" if budget.breach_at else ""
    )
    used = f"{budget.consumed_percent:g}% used: {budget.consumed_minutes:g} of {budget.allowed_minutes:g} min"
    summary = f"{found.customer_name}'s {budget.target}% budget ({budget.slo}) is {used}{runs_out}"
    if threshold == RUNS_OUT and budget.breach_at is not None:
        minutes = max(round((budget.breach_at - now).total_seconds() / 60), 0)
        summary = f"{found.customer_name}'s {budget.target}% budget ({budget.slo}) runs out in {minutes} min"
    pages = threshold == RUNS_OUT or (isinstance(threshold, int) and threshold >= policy.page_at)
    return Alert(
        id=alert_id,
        action=AlertAction.TRIGGER,
        dedup_key=f"sla:{once_key(found, threshold)}",
        service=policy.service,
        integration=INTEGRATION,
        source_kind=SOURCE_KIND,
        received_at=now,
        summary=summary[:1024],
        source=INTEGRATION,
        severity=Severity.CRITICAL if pages else Severity.WARNING,
        labels={
            "alertname": "SLABudgetConsumed",
            "customer": found.customer,
            "slo": budget.slo,
            "threshold": str(threshold),
        },
        custom_details={
            "consumed_minutes": budget.consumed_minutes,
            "allowed_minutes": budget.allowed_minutes,
            "consumed_percent": budget.consumed_percent,
            "window_start": budget.window_start.isoformat(),
            "window_end": budget.window_end.isoformat(),
            "breach_at": budget.breach_at.isoformat() if budget.breach_at else None,
        },
    )

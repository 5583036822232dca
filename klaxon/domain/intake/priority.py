"""Severity → priority → urgency: the rules that decide whether an alert wakes someone."""

from __future__ import annotations

from klaxon.domain.incident.models import Priority, Severity, Urgency

_PRIORITY_BY_SEVERITY = {
    Severity.CRITICAL: Priority.P1,
    Severity.ERROR: Priority.P2,
    Severity.WARNING: Priority.P3,
    Severity.INFO: Priority.P4,
}


def priority_for(severity: Severity | None) -> Priority:
    """critical→P1, error→P2, warning→P3, info→P4; an alert without severity is treated as an error (P2)."""
    return _PRIORITY_BY_SEVERITY[severity or Severity.ERROR]


def urgency_for(priority: Priority) -> Urgency:
    """P1 and P2 are high urgency (they page); P3 and P4 are low (recorded, nobody paged)."""
    return Urgency.HIGH if priority in (Priority.P1, Priority.P2) else Urgency.LOW


def parse_severity(value: str | None) -> Severity | None:
    """Map a free-form severity label (Alertmanager's `severity`) onto the four PagerDuty severities."""
    if value is None:
        return None
    aliases = {
        "critical": Severity.CRITICAL,
        "crit": Severity.CRITICAL,
        "page": Severity.CRITICAL,
        "fatal": Severity.CRITICAL,
        "error": Severity.ERROR,
        "err": Severity.ERROR,
        "high": Severity.ERROR,
        "major": Severity.ERROR,
        "warning": Severity.WARNING,
        "warn": Severity.WARNING,
        "medium": Severity.WARNING,
        "minor": Severity.WARNING,
        "info": Severity.INFO,
        "informational": Severity.INFO,
        "low": Severity.INFO,
        "none": Severity.INFO,
    }
    return aliases.get(value.strip().lower())

"""Incident rules: how an alert opens an incident, and which status changes are allowed."""

from __future__ import annotations

from datetime import datetime, timedelta

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import Alert, Incident, IncidentStatus
from klaxon.domain.intake.priority import priority_for, urgency_for
from klaxon.domain.runbooks.models import IncidentRunbook


def open_incident(
    alert: Alert, *, incident_id: str, number: int, now: datetime, runbook: IncidentRunbook | None = None
) -> Incident:
    """A trigger with no open incident for its (service, dedup key) opens one, prioritised by severity.

    A routing rule may have chosen the priority or urgency instead; the alert then carries it. `runbook`
    is the one chosen for the alert (domain.runbooks.choice).
    """
    priority = alert.priority or priority_for(alert.severity)
    return Incident(
        id=incident_id,
        number=number,
        title=alert.summary or alert.dedup_key,
        service=alert.service,
        priority=priority,
        urgency=alert.urgency or urgency_for(priority),
        status=IncidentStatus.TRIGGERED,
        dedup_key=alert.dedup_key,
        alert_count=1,
        integration=alert.integration,
        source=alert.source,
        severity=alert.severity,
        created_at=now,
        updated_at=now,
        started_at=alert.timestamp,
        last_alert_at=now,
        last_alert_id=alert.id,
        first_alert_id=alert.id,
        recent_alert_ids=frozenset({alert.id}),
        details=alert.custom_details,
        links=alert.links,
        images=alert.images,
        alerts={i.fingerprint: i for i in alert.instances},
        drill=alert.drill,
        drill_time_scale=alert.drill_time_scale,
        routing_rule=alert.routing_rule,
        escalation_policy=alert.escalation_policy,
        labels=alert.labels,
        runbook=runbook,
    )


# Clocks of a source and of Klaxon differ, and a source's two events may come from two hosts.
STALE_SKEW = timedelta(minutes=1)


def began(incident: Incident) -> datetime:
    """When an incident began: its opening alert's own time as the source told it, else when it opened."""
    return incident.started_at or incident.created_at


def is_stale(alert: Alert, incident: Incident) -> bool:
    """An acknowledge or resolve that happened before `incident` began: a replay, or an event of an
    earlier incident on the same key, which must not end this one.

    The event's own time (`alert.timestamp`: Events v2 `timestamp`, a resolved group's last `endsAt`,
    Sentry's `lastSeen`, SNS's `StateChangeTime`) is compared with `began`, allowing STALE_SKEW either
    way. An event that gives no time is never stale.
    """
    return alert.timestamp is not None and alert.timestamp < began(incident) - STALE_SKEW


# An incident is open, and may change, until it is resolved.
OPEN: tuple[IncidentStatus, ...] = (IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED)


def allowed_from(target: IncidentStatus) -> tuple[IncidentStatus, ...]:
    """Acknowledge only a triggered incident; resolve any open one. Resolved is final."""
    if target is IncidentStatus.ACKNOWLEDGED:
        return (IncidentStatus.TRIGGERED,)
    if target is IncidentStatus.RESOLVED:
        return OPEN
    raise ValueError(f"no transition into {target}")


def check_transition(current: Incident, target: IncidentStatus) -> bool:
    """True when the change should be written; False when it is a no-op; Conflict when it is refused.

    Acknowledging an acknowledged incident, or resolving a resolved one, changes nothing (idempotent, as
    PagerDuty clients retry). Acknowledging a resolved incident is refused.
    """
    if current.status is target:
        return False
    if current.status in allowed_from(target):
        return True
    raise Conflict(f"incident {current.number} is {current.status.value}; it cannot be {target.value}")

"""An acknowledgement that timed out: the incident is triggered again, in a new escalation round.

Two callers: the acknowledgement timer's own execution when its wait ends, and the sweeper for a timer
that was lost (its execution stopped, failed, or ran into Step Functions' execution limit). Both write
the same conditional change, so whichever comes first re-triggers and the other finds it done.
"""

from __future__ import annotations

from datetime import datetime

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import Incident, TimelineEntry
from klaxon.events import DetailType, IncidentEvent
from klaxon.ports import IncidentRepository


def retrigger(
    incidents: IncidentRepository,
    incident: Incident,
    *,
    timeout_minutes: int,
    now: datetime,
    actor: str,
    note: str = "",
) -> Incident | None:
    """Trigger `incident` again (round + 1), only while it is acknowledged in the round it was read in;
    None if it changed meanwhile (resolved, or already re-triggered). The write carries the event;
    `note` ends the timeline entry's message."""
    entry = TimelineEntry(
        subject=incident.id,
        at=now,
        kind="triggered",
        actor=actor,
        message=f"Acknowledged {timeout_minutes} minutes ago and not resolved: triggered again{note}",
    )
    try:
        return incidents.restart_escalation(
            incident.id,
            expected_round=incident.escalation_round,
            policy=None,
            from_step=0,
            retrigger=True,
            now=now,
            entry=entry,
            event=IncidentEvent(DetailType.INCIDENT_TRIGGERED, actor, "ack timeout"),
        )
    except Conflict:
        return None

"""Muting: an incident opened in a maintenance window or under an inhibiting incident is recorded but low
urgency, so escalation (which starts only for high urgency) pages no one until it is released."""

from __future__ import annotations

from klaxon.domain.incident.models import Incident, Urgency


def mute(
    incident: Incident, *, maintenance_window: str | None = None, inhibited_by: str | None = None
) -> Incident:
    """The incident at low urgency, remembering the urgency it pages with once released."""
    return incident.model_copy(
        update={
            "urgency": Urgency.LOW,
            "muted_urgency": incident.muted_urgency or incident.urgency,
            "maintenance_window": maintenance_window or incident.maintenance_window,
            "inhibited_by": inhibited_by or incident.inhibited_by,
        }
    )


def is_muted(incident: Incident) -> bool:
    return incident.muted_urgency is not None


def released_urgency(incident: Incident) -> Urgency:
    """The urgency a muted incident gets back when its window ends or its inhibiting incident resolves."""
    return incident.muted_urgency or incident.urgency


def why_muted(incident: Incident) -> str:
    if incident.maintenance_window is not None:
        return f"in maintenance window {incident.maintenance_window!r}"
    if incident.inhibited_by is not None:
        return f"inhibited by incident {incident.inhibited_by}"
    return "muted"


def muted_note(incident: Incident) -> str:
    """How the creating timeline entry says that an incident pages no one."""
    return f"; pages no one: {why_muted(incident)}" if is_muted(incident) else ""

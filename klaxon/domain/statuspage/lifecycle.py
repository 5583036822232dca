"""A public incident's life: opened as "investigating", moved on by explicit updates, resolved once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from klaxon.domain.errors import Conflict, InvalidInput
from klaxon.domain.statuspage.models import (
    AffectedComponent,
    ComponentStatus,
    PublicIncident,
    PublicStatus,
    StatusUpdate,
)
from klaxon.domain.statuspage.status import impact_of

# What people may post on an open incident; "investigating" is only ever the opening update.
POSTABLE = (PublicStatus.IDENTIFIED, PublicStatus.MONITORING, PublicStatus.RESOLVED)


def open_incident(
    *,
    public_id: str,
    incident_id: str,
    title: str,
    body: str,
    components: Mapping[str, ComponentStatus],
    names: Mapping[str, str],
    before: Mapping[str, ComponentStatus],
    now: datetime,
    started_at: datetime,
    update_id: str,
) -> PublicIncident:
    """A new public incident, "investigating", its components set to `components` from `before`."""
    affected = [
        AffectedComponent(
            code=c, name=names.get(c, c), old_status=before.get(c, ComponentStatus.OPERATIONAL), new_status=s
        )
        for c, s in components.items()
    ]
    first = StatusUpdate(
        id=update_id,
        status=PublicStatus.INVESTIGATING,
        body=body,
        created_at=now,
        affected_components=affected,
    )
    return PublicIncident(
        id=public_id,
        incident_id=incident_id,
        name=title,
        status=PublicStatus.INVESTIGATING,
        impact=impact_of(components.values()),
        components=dict(components),
        created_at=now,
        updated_at=now,
        started_at=started_at,
        updates=[first],
    )


def post_update(
    incident: PublicIncident,
    status: PublicStatus,
    body: str,
    *,
    now: datetime,
    update_id: str,
    names: Mapping[str, str],
    after: Mapping[str, ComponentStatus],
) -> PublicIncident:
    """`incident` with one more update; resolving records each component going back to `after`."""
    if status not in POSTABLE:
        allowed = ", ".join(s.value for s in POSTABLE)
        raise InvalidInput(f"a status update is one of {allowed}, not {status.value!r}")
    if not incident.is_open:
        raise Conflict(f"status incident {incident.id} is already resolved")
    affected = []
    if status is PublicStatus.RESOLVED:
        affected = [
            AffectedComponent(
                code=c,
                name=names.get(c, c),
                old_status=s,
                new_status=after.get(c, ComponentStatus.OPERATIONAL),
            )
            for c, s in incident.components.items()
        ]
    update = StatusUpdate(
        id=update_id, status=status, body=body, created_at=now, affected_components=affected
    )
    changes: dict[str, object] = {"status": status, "updated_at": now, "updates": [*incident.updates, update]}
    if status is PublicStatus.MONITORING and incident.monitoring_at is None:
        changes["monitoring_at"] = now
    if status is PublicStatus.RESOLVED:
        changes["resolved_at"] = now
    return incident.model_copy(update=changes)

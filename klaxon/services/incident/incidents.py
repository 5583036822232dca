"""Incident use cases behind the API and chat: list, show, acknowledge, resolve, timeline, roles, priority.

An acknowledgement or resolution of a triggered incident is answered only once no page of it is in flight
(up to `SETTLE_WAIT_SECONDS`): a page that passed its last look at the incident before the change begins
before the answer, and every later one is stopped by that look. So no page begins after "acknowledged".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from klaxon.domain.errors import Conflict, InvalidInput, NotFound
from klaxon.domain.incident.bounds import restored
from klaxon.domain.incident.lifecycle import check_transition
from klaxon.domain.incident.models import ROLES, Incident, IncidentStatus, Priority, TimelineEntry
from klaxon.domain.paging.pages import SETTLE_POLL_SECONDS, SETTLE_WAIT_SECONDS
from klaxon.events import PRIORITY_CHANGED, ROLE_ASSIGNED, DetailType, IncidentEvent
from klaxon.ports import (
    Clock,
    IncidentPage,
    IncidentQuery,
    IncidentRepository,
    NotificationRecords,
    PayloadStore,
    TimelinePage,
    TimelineRepository,
)

GONE = "details no longer stored"
_EVENTS = {
    IncidentStatus.ACKNOWLEDGED: DetailType.INCIDENT_ACKNOWLEDGED,
    IncidentStatus.RESOLVED: DetailType.INCIDENT_RESOLVED,
}


@dataclass
class IncidentService:
    incidents: IncidentRepository
    timeline: TimelineRepository
    clock: Clock
    payloads: PayloadStore | None = None
    pages: NotificationRecords | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def find(self, query: IncidentQuery) -> IncidentPage:
        return self.incidents.query(query)

    def get(self, incident_id: str) -> Incident:
        incident = self.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id!r}")
        return incident

    def get_with_details(self, incident_id: str) -> Incident:
        """The incident in full: details and attachments its record left to the payload store read back.
        One that is gone (deleted by hand, or from before objects were kept) is said so, never an error."""
        incident = self.get(incident_id)
        if self.payloads is None:
            return incident
        if incident.details_ref is not None:
            try:
                incident = incident.model_copy(
                    update={"details": json.loads(self.payloads.get(incident.details_ref))}
                )
            except NotFound:
                incident = incident.model_copy(update={"details_note": GONE})
        if incident.attachments_ref is not None:
            try:
                incident = restored(incident, self.payloads.get(incident.attachments_ref))
            except NotFound:
                incident = incident.model_copy(update={"details_note": GONE})
        return incident

    def history(self, incident_id: str, cursor: str | None, limit: int) -> TimelinePage:
        """A page of the incident's timeline, oldest first (NotFound if there is no such incident)."""
        self.get(incident_id)
        return self.timeline.page(incident_id, cursor, limit)

    def latest_history(self, incident_id: str, count: int) -> Sequence[TimelineEntry]:
        """The incident's newest `count` timeline entries, oldest first."""
        newest = self.timeline.page(incident_id, None, count, newest_first=True).entries
        return newest[::-1]

    def acknowledge(self, incident_id: str, actor: str) -> Incident:
        return self._move(incident_id, IncidentStatus.ACKNOWLEDGED, actor)

    def resolve(self, incident_id: str, actor: str) -> Incident:
        return self._move(incident_id, IncidentStatus.RESOLVED, actor)

    def _move(self, incident_id: str, target: IncidentStatus, actor: str) -> Incident:
        current = self.get(incident_id)
        if not check_transition(current, target):
            return current  # already there (a client's retry): its event left with the change
        now = self.clock.now()
        entry = TimelineEntry(
            subject=incident_id,
            at=now,
            kind=target.value,
            actor=actor,
            message=f"{target.value.capitalize()} by {actor}",
        )
        event = IncidentEvent(_EVENTS[target], actor, "api")
        try:
            moved = self.incidents.transition(
                incident_id, target, actor=actor, now=now, entry=entry, event=event
            )
        except Conflict:
            # Someone else moved it first: report the state they left, or refuse if it is now impossible.
            moved = self.get(incident_id)
            check_transition(moved, target)
        if current.status is IncidentStatus.TRIGGERED:
            self._settle(incident_id)
        return moved

    def _settle(self, incident_id: str) -> None:
        """Wait while a page of the incident is in flight (see the module's docstring)."""
        if self.pages is None:
            return
        for _ in range(round(SETTLE_WAIT_SECONDS / SETTLE_POLL_SECONDS)):
            if not self.pages.in_flight(incident_id, self.clock.now()):
                return
            self.sleep(SETTLE_POLL_SECONDS)

    def assign_role(self, incident_id: str, role: str, holder: str, actor: str) -> Incident:
        """Give an incident role (commander, comms, scribe) to `holder`; who held it before does not."""
        if role not in ROLES:
            raise InvalidInput(f"no role {role!r}", [f"roles are {', '.join(ROLES)}"])
        current = self._open(incident_id)
        if current.roles.get(role) == holder:
            return current
        return self._amend(
            current,
            actor,
            ROLE_ASSIGNED,
            f"{holder} is {role} (set by {actor})",
            {"role": role, "holder": holder},
            roles={**current.roles, role: holder},
        )

    def set_priority(self, incident_id: str, priority: Priority, actor: str) -> Incident:
        """Change an open incident's priority (its urgency, and so its paging, stays as it is)."""
        current = self._open(incident_id)
        if current.priority is priority:
            return current
        message = f"Priority {current.priority} -> {priority} by {actor}"
        data = {"from": current.priority.value, "to": priority.value}
        return self._amend(current, actor, PRIORITY_CHANGED, message, data, priority=priority)

    def _open(self, incident_id: str) -> Incident:
        current = self.get(incident_id)
        if not current.status.is_open:
            raise Conflict(f"incident {current.number} is resolved: it cannot change")
        return current

    def _amend(
        self, current: Incident, actor: str, reason: str, message: str, data: dict[str, str], **changes: Any
    ) -> Incident:
        now = self.clock.now()
        entry = TimelineEntry(
            subject=current.id, at=now, kind=reason, actor=actor, message=message, data=data
        )
        event = IncidentEvent(DetailType.INCIDENT_UPDATED, actor, reason)
        return self.incidents.amend(current.id, now=now, entry=entry, event=event, **changes)

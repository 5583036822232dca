"""Statuspage-compatible v2 JSON (`api/v2/*.json`): Atlassian's field names and enums, so widgets read it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from klaxon.domain.statuspage.models import (
    Component,
    ComponentStatus,
    Impact,
    Maintenance,
    MaintenanceStatus,
    PublicIncident,
    Snapshot,
    StatusUpdate,
)
from klaxon.domain.statuspage.status import maintenance_status, page_status, worst

LIST_LIMIT = 50  # incidents.json and scheduled-maintenances.json: the 50 most recent, as Statuspage does
# Statuspage's own words for the automatic updates of a maintenance window.
MAINTENANCE_STARTED = "Scheduled maintenance is currently in progress. We will provide updates as necessary."
MAINTENANCE_COMPLETED = "The scheduled maintenance has been completed."

Json = dict[str, Any]


def stamp(at: datetime) -> str:
    """`2026-11-27T14:05:00.000Z`: UTC with milliseconds, as Statuspage writes times."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _opt(at: datetime | None) -> str | None:
    return None if at is None else stamp(at)


class StatuspageJson:
    """Builds every v2 document of one snapshot at one moment."""

    def __init__(self, snapshot: Snapshot, now: datetime, statuses: dict[str, ComponentStatus]) -> None:
        self.snapshot = snapshot
        self.now = now
        self.statuses = statuses
        self.names = {c.id: c for c in snapshot.components}
        self.changed = self._changed_at()
        introduced = [c.created_at for c in snapshot.components if c.created_at]
        introduced += [g.created_at for g in snapshot.groups if g.created_at]
        self.updated_at = max([*self.changed.values(), *(at for at in introduced if at <= now)], default=now)
        self.page: Json = {
            "id": snapshot.page.id,
            "name": snapshot.page.name,
            "url": snapshot.page.url.rstrip("/"),
            "time_zone": snapshot.page.time_zone,
            "updated_at": stamp(self.updated_at),
        }

    def _changed_at(self) -> dict[str, datetime]:
        """When each component's status last changed: an update that touched it, or a window edge."""
        changed: dict[str, datetime] = {}

        def touch(component: str, at: datetime) -> None:
            if at <= self.now and (component not in changed or changed[component] < at):
                changed[component] = at

        for incident in self.snapshot.incidents:
            for update in incident.updates:
                for affected in update.affected_components:
                    touch(affected.code, update.created_at)
        for window in self.snapshot.maintenances:
            for component in window.components:
                touch(component, window.scheduled_for)
                touch(component, window.scheduled_until)
        return changed

    def _times(self, created: datetime | None, changed: datetime | None) -> tuple[str, str]:
        """`created_at`: when the configuration that introduced it was applied; `updated_at`: its last
        status change, else its creation. Without a recorded creation (configuration applied before
        Klaxon recorded it), both are the last change, as before."""
        if created is None:
            at = stamp(changed or self.updated_at)
            return at, at
        return stamp(created), stamp(max(created, changed) if changed else created)

    def _component(self, component: Component, position: int) -> Json:
        created, updated = self._times(component.created_at, self.changed.get(component.id))
        return {
            "id": component.id,
            "name": component.name,
            "status": self.statuses.get(component.id, ComponentStatus.OPERATIONAL).value,
            "created_at": created,
            "updated_at": updated,
            "position": position,
            "description": component.description,
            "showcase": True,
            "start_date": None,
            "group_id": component.group,
            "page_id": self.snapshot.page.id,
            "group": False,
            "only_show_if_degraded": False,
        }

    def components(self) -> list[Json]:
        """Groups and components in one list, as Statuspage lists them: a group names its members."""
        out: list[Json] = []
        members: dict[str, list[str]] = {}
        for component in self.snapshot.components:
            if component.group:
                members.setdefault(component.group, []).append(component.id)
        for position, group in enumerate(self.snapshot.groups, start=1):
            ids = members.get(group.id, [])
            changed = max((self.changed[c] for c in ids if c in self.changed), default=None)
            created, updated = self._times(group.created_at, changed)
            status = worst(self.statuses.get(c, ComponentStatus.OPERATIONAL) for c in ids)
            out.append(
                {
                    "id": group.id,
                    "name": group.name,
                    "status": status.value,
                    "created_at": created,
                    "updated_at": updated,
                    "position": position,
                    "description": group.description,
                    "showcase": False,
                    "start_date": None,
                    "group_id": None,
                    "page_id": self.snapshot.page.id,
                    "group": True,
                    "only_show_if_degraded": False,
                    "components": ids,
                }
            )
        out += [self._component(c, p) for p, c in enumerate(self.snapshot.components, start=1)]
        return out

    def _update(self, incident_id: str, update: StatusUpdate) -> Json:
        affected = [a.model_dump(mode="json") for a in update.affected_components]
        return {
            "id": update.id,
            "status": update.status.value,
            "body": update.body,
            "incident_id": incident_id,
            "created_at": stamp(update.created_at),
            "updated_at": stamp(update.created_at),
            "display_at": stamp(update.created_at),
            "affected_components": affected or None,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def _affected(self, ids: Iterable[str]) -> list[Json]:
        positions = {c.id: p for p, c in enumerate(self.snapshot.components, start=1)}
        return [self._component(self.names[c], positions[c]) for c in ids if c in self.names]

    def incident(self, incident: PublicIncident) -> Json:
        found = self._incident(incident)
        if (
            incident.postmortem_body is not None
        ):  # only once one was posted, as Statuspage's incidents carry it
            found["postmortem_body"] = incident.postmortem_body
            found["postmortem_published_at"] = _opt(incident.postmortem_published_at)
        return found

    def _incident(self, incident: PublicIncident) -> Json:
        return {
            "id": incident.id,
            "name": incident.name,
            "status": incident.status.value,
            "created_at": stamp(incident.created_at),
            "updated_at": stamp(incident.updated_at),
            "monitoring_at": _opt(incident.monitoring_at),
            "resolved_at": _opt(incident.resolved_at),
            "impact": incident.impact.value,
            "shortlink": self.permalink(incident.id),
            "started_at": stamp(incident.started_at),
            "page_id": self.snapshot.page.id,
            "incident_updates": [self._update(incident.id, u) for u in reversed(incident.updates)],
            "components": self._affected(incident.components),
        }

    def permalink(self, incident_id: str) -> str:
        return f"{self.snapshot.page.url.rstrip('/')}/incidents/{incident_id}.html"

    def maintenance(self, window: Maintenance) -> Json:
        status = maintenance_status(window, self.now)
        updates = [(MaintenanceStatus.SCHEDULED, window.body, window.created_at)]
        if status is not MaintenanceStatus.SCHEDULED:
            updates.append((MaintenanceStatus.IN_PROGRESS, MAINTENANCE_STARTED, window.scheduled_for))
        if status is MaintenanceStatus.COMPLETED:
            updates.append((MaintenanceStatus.COMPLETED, MAINTENANCE_COMPLETED, window.scheduled_until))
        last = updates[-1][2]
        return {
            "id": window.id,
            "name": window.name,
            "status": status.value,
            "created_at": stamp(window.created_at),
            "updated_at": stamp(last),
            "monitoring_at": None,
            "resolved_at": stamp(window.scheduled_until) if status is MaintenanceStatus.COMPLETED else None,
            "impact": Impact.MAINTENANCE.value,
            "shortlink": self.permalink(window.id),
            "started_at": stamp(window.scheduled_for),
            "page_id": self.snapshot.page.id,
            "incident_updates": [
                {
                    "id": f"{window.id}-{state.value}",
                    "status": state.value,
                    "body": body,
                    "incident_id": window.id,
                    "created_at": stamp(at),
                    "updated_at": stamp(at),
                    "display_at": stamp(at),
                    "affected_components": None,
                    "deliver_notifications": True,
                    "custom_tweet": None,
                    "tweet_id": None,
                }
                for state, body, at in reversed(updates)
            ],
            "components": self._affected(window.components),
            "scheduled_for": stamp(window.scheduled_for),
            "scheduled_until": stamp(window.scheduled_until),
        }

    def documents(self) -> dict[str, Json]:
        """Every file under api/v2/, by its path there."""
        indicator, description = page_status(self.snapshot, self.now)
        status = {"indicator": indicator.value, "description": description}
        components = self.components()
        incidents = sorted(self.snapshot.incidents, key=lambda i: (i.created_at, i.id), reverse=True)
        unresolved = [self.incident(i) for i in incidents if i.is_open]
        windows = sorted(self.snapshot.maintenances, key=lambda w: (w.scheduled_for, w.id), reverse=True)
        states = {w.id: maintenance_status(w, self.now) for w in windows}
        upcoming = [
            self.maintenance(w) for w in reversed(windows) if states[w.id] is MaintenanceStatus.SCHEDULED
        ]
        active = [
            self.maintenance(w)
            for w in reversed(windows)
            if states[w.id] in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)
        ]
        page = self.page
        return {
            "summary.json": {
                "page": page,
                "components": components,
                "incidents": unresolved,
                "scheduled_maintenances": active + upcoming,
                "status": status,
            },
            "status.json": {"page": page, "status": status},
            "components.json": {"page": page, "components": components},
            "incidents.json": {"page": page, "incidents": [self.incident(i) for i in incidents[:LIST_LIMIT]]},
            "incidents/unresolved.json": {"page": page, "incidents": unresolved},
            "scheduled-maintenances.json": {
                "page": page,
                "scheduled_maintenances": [self.maintenance(w) for w in windows[:LIST_LIMIT]],
            },
            "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": upcoming},
            "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": active},
        }


def encode(document: Json) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

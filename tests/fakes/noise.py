"""In-memory noise-control ports, with the DynamoDB adapters' conditions (revisions, muted, released)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import count
from typing import Any

from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.incident.lifecycle import allowed_from
from klaxon.domain.incident.models import (
    Alert,
    AlertAction,
    AlertInstance,
    Incident,
    IncidentStatus,
    Severity,
    TimelineEntry,
    Urgency,
)
from klaxon.domain.noise.heartbeats import HeartbeatState
from klaxon.domain.noise.inhibition import Source
from klaxon.domain.noise.maintenance import MaintenanceWindow
from klaxon.events import IncidentEvent
from tests.fakes.memory import FixedClock, MemoryIncidents


class NoiseMemoryIncidents(MemoryIncidents):
    """MemoryIncidents plus what grouping, maintenance and inhibition need; every alert bumps a revision."""

    def add_alerts(
        self,
        incident_id: str,
        alerts: Sequence[Alert],
        now: datetime,
        *,
        known_count: int,
        event: IncidentEvent,
    ) -> Incident:
        with self._lock:
            updated = super().add_alerts(incident_id, alerts, now, known_count=known_count, event=event)
            self.items[incident_id] = updated.model_copy(update={"revision": updated.revision + 1})
            return self.items[incident_id]

    def transition(
        self, incident_id: str, target: IncidentStatus, *, expected_revision: int | None = None, **kw: Any
    ):
        with self._lock:
            if expected_revision is not None and self.items[incident_id].revision != expected_revision:
                raise Conflict("revision moved")
            return super().transition(incident_id, target, **kw)

    def update_alerts(
        self, incident_id: str, alert: Alert, now: datetime, *, expected_revision: int, event: IncidentEvent
    ) -> Incident:
        with self._lock:
            self.writes += 1
            current = self.items[incident_id]
            if not current.status.is_open or current.revision != expected_revision:
                raise Conflict("resolved, or revision moved")
            alerts = {**current.alerts, **{i.fingerprint: i for i in alert.instances}}
            changes = {"alerts": alerts, "revision": current.revision + 1, "updated_at": now}
            self.items[incident_id] = current.model_copy(update=changes)
            return self._commit(incident_id, event)

    def _open(self) -> list[Incident]:
        return [i for i in self.items.values() if i.status in allowed_from(IncidentStatus.RESOLVED)]

    def open_with_alerts(self, service: str, fingerprints: list[str]) -> list[Incident]:
        with self._lock:
            return [
                i for i in self._open() if i.service == service and any(fp in i.alerts for fp in fingerprints)
            ]

    def open_matching(self, labels: dict[str, str]) -> list[Source]:
        with self._lock:
            return [
                Source(incident_id=i.id, labels=i.labels)
                for i in self._open()
                if all(i.labels.get(k) == v for k, v in labels.items())
            ]

    def muted(self) -> list[Incident]:
        with self._lock:
            return [
                i
                for i in self.items.values()
                if i.status is IncidentStatus.TRIGGERED and i.muted_urgency is not None
            ]

    def release(
        self,
        incident_id: str,
        *,
        urgency: Urgency,
        inhibited_by: str | None,
        now: datetime,
        entry: TimelineEntry,
        event: IncidentEvent,
    ) -> Incident:
        with self._lock:
            self.writes += 2
            current = self.items[incident_id]
            muted = current.status is IncidentStatus.TRIGGERED and current.muted_urgency is not None
            if not muted or (inhibited_by is not None and current.inhibited_by != inhibited_by):
                raise Conflict("not muted (by that incident)")
            changes = {
                "urgency": urgency,
                "muted_urgency": None,
                "escalation_round": current.escalation_round + 1,
                "updated_at": now,
            }
            self.items[incident_id] = current.model_copy(update=changes)
            self.timeline.add(entry)
            return self._commit(incident_id, event)

    def reinhibit(
        self, incident_id: str, *, from_source: str, to_source: str, now: datetime, entry: TimelineEntry
    ) -> Incident:
        with self._lock:
            self.writes += 2
            current = self.items[incident_id]
            muted = current.status is IncidentStatus.TRIGGERED and current.muted_urgency is not None
            if not muted or current.inhibited_by != from_source:
                raise Conflict("changed")
            self.items[incident_id] = current.model_copy(
                update={"inhibited_by": to_source, "updated_at": now}
            )
            self.timeline.add(entry)
            return self.items[incident_id]


class MemoryWindows:
    def __init__(self) -> None:
        self.windows: dict[str, MaintenanceWindow] = {}
        self.reminders: set[tuple[str, datetime]] = set()
        self.retired: set[str] = set()

    def list(self) -> list[MaintenanceWindow]:
        return list(self.windows.values())

    def add(self, window: MaintenanceWindow) -> None:
        if window.id in self.windows:
            raise Conflict("exists")
        self.windows[window.id] = window
        self.retired.discard(window.id)

    def remove(self, window_id: str) -> MaintenanceWindow:
        if window_id not in self.windows:
            raise NotFound(window_id)
        return self.windows.pop(window_id)

    def current(self, at: datetime, *, marking: bool = False) -> list[MaintenanceWindow]:
        return [w for w in self.windows.values() if w.id not in self.retired]

    def retire(self, window: MaintenanceWindow) -> None:
        if self.windows.get(window.id) == window:
            self.retired.add(window.id)

    def reserve_reminder(self, window_id: str, ends_at: datetime) -> bool:
        if (window_id, ends_at) in self.reminders:
            return False
        self.reminders.add((window_id, ends_at))
        return True


class MemoryHeartbeats:
    def __init__(self) -> None:
        self.states: dict[str, tuple[HeartbeatState, int]] = {}

    def get(self, heartbeat_id: str) -> tuple[HeartbeatState, int] | None:
        return self.states.get(heartbeat_id)

    def put(self, state: HeartbeatState, *, version: int | None) -> None:
        current = self.states.get(state.heartbeat)
        if (current[1] if current else None) != version:
            raise Conflict("changed")
        self.states[state.heartbeat] = (state, (version or 0) + 1)


_ids = count(1)


def pd(key: str, service: str = "search", action: AlertAction = AlertAction.TRIGGER, **labels: str) -> Alert:
    """A PagerDuty-style event (labels given as keyword arguments)."""
    return Alert(
        id=f"alert-{next(_ids)}",
        action=action,
        dedup_key=key,
        service=service,
        integration="events",
        source_kind="pagerduty",
        received_at=FixedClock().now(),
        summary=f"{key} failing",
        severity=Severity.CRITICAL,
        labels=labels,
    )


def am(
    group: str,
    service: str,
    *instances: tuple[str, str],
    action: AlertAction = AlertAction.TRIGGER,
    **labels: str,
) -> Alert:
    """An Alertmanager notification: (fingerprint, status) instances sharing `labels`."""
    return Alert(
        id=f"alert-{next(_ids)}",
        action=action,
        dedup_key=group,
        service=service,
        integration="alertmanager",
        source_kind="alertmanager",
        received_at=FixedClock().now(),
        summary=f"[FIRING] {labels.get('alertname')}",
        severity=Severity.CRITICAL,
        labels=labels,
        instances=[AlertInstance(fingerprint=fp, status=status, labels=labels) for fp, status in instances],
    )

"""Ports of noise control: stored maintenance windows and heartbeat state."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from klaxon.ports.incidents import IncidentRepository

if TYPE_CHECKING:
    from klaxon.domain.incident.models import Alert, Incident, TimelineEntry, Urgency
    from klaxon.domain.noise.heartbeats import HeartbeatState
    from klaxon.domain.noise.inhibition import Source
    from klaxon.domain.noise.maintenance import MaintenanceWindow
    from klaxon.events import IncidentEvent


class MaintenanceStore(Protocol):
    def current(self, at: datetime, *, marking: bool = False) -> list[MaintenanceWindow]:
        """The windows not retired (eventually consistent: one added a moment ago may be missing); those
        read from before the index was marked, only if not ended at `at`. The maintenance timer reads
        them `marking`: it marks the windows kept from before the index that have not ended at `at`."""

    def retire(self, window: MaintenanceWindow) -> None:
        """Leave an ended window out of `current` (it stays listed); nothing if it is gone, or if its id
        now names a window added since."""

    def list(self) -> list[MaintenanceWindow]: ...

    def add(self, window: MaintenanceWindow) -> None:
        """Store a new window; Conflict if its id is taken."""

    def remove(self, window_id: str) -> MaintenanceWindow:
        """Delete and return the window; NotFound if there is none."""

    def reserve_reminder(self, window_id: str, ends_at: datetime) -> bool:
        """True the first time for an occurrence: its reminder is to be sent."""


class HeartbeatStore(Protocol):
    def get(self, heartbeat_id: str) -> tuple[HeartbeatState, int] | None: ...

    def put(self, state: HeartbeatState, *, version: int | None) -> None:
        """Store if still at `version` (None: only if absent); else Conflict."""


class NoiseIncidents(IncidentRepository, Protocol):
    """What grouping, maintenance windows and inhibition need of incidents, beyond dedup."""

    def update_alerts(
        self, incident_id: str, alert: Alert, now: datetime, *, expected_revision: int, event: IncidentEvent
    ) -> Incident:
        """Record an open incident's alerts (one resolving), only at `expected_revision`; else Conflict."""

    def open_with_alerts(self, service: str, fingerprints: list[str]) -> list[Incident]:
        """Open incidents of `service` holding any of these fingerprints in their `alerts` map."""

    def open_matching(self, labels: dict[str, str]) -> list[Source]:
        """Open incidents whose labels include all of `labels`: each one's id and labels, which is all an
        inhibition rule reads (every new incident a rule targets asks, and every open incident was read
        whole, alerts and all, to be dropped)."""

    def muted(self) -> list[Incident]:
        """Triggered incidents that are still muted."""

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
        """Unmute a triggered incident (Conflict if it is no longer muted, or by another source)."""

    def reinhibit(
        self, incident_id: str, *, from_source: str, to_source: str, now: datetime, entry: TimelineEntry
    ) -> Incident:
        """Move a muted incident from one inhibiting incident to another (Conflict if it changed); a change
        with no event."""


class GroupedAlert(Protocol):
    """An alert routed by its group: `alert` carries the group key as dedup key, and its members."""

    @property
    def alert(self) -> Alert: ...

    def joins(self, incident: Incident, now: datetime) -> bool: ...

    def joining(self, incident: Incident) -> Alert: ...


class NoisePolicy(Protocol):
    """Noise control as the router sees it (grouping, maintenance windows, inhibition); the router's
    default, `NoNoise`, does nothing."""

    def group(self, alert: Alert) -> GroupedAlert | None: ...

    def on_open(
        self, incident: Incident, alert: Alert, group: GroupedAlert | None, now: datetime
    ) -> Incident:
        """The incident as it opens: labelled, and muted in a window or under an inhibiting source."""

    def resolve_elsewhere(self, alert: Alert, joined: str) -> None: ...

    def follow_up(self, alert: Alert) -> tuple[str, Incident | None] | None:
        """Acknowledge or resolve by one alert of a group; None when its service does not group."""

"""Ports of noise control: stored maintenance windows and heartbeat state."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from klaxon.domain.heartbeats import HeartbeatState
    from klaxon.domain.maintenance import MaintenanceWindow


class MaintenanceStore(Protocol):
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

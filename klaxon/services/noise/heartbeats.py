"""Heartbeat use cases: a ping records the job alive (and resolves a miss); the check opens missed ones.

Both speak to the router through the bus, as any alert source: a miss is a trigger on the heartbeat's
dedup key, the next ping its resolve, so dedup, maintenance windows and escalation apply as usual.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from klaxon.config.secrets import hash_key
from klaxon.domain.access.rate_limits import Subject
from klaxon.domain.errors import Conflict, Unauthorized
from klaxon.domain.incident.models import Alert
from klaxon.domain.model import Model
from klaxon.domain.noise.heartbeats import (
    Heartbeat,
    HeartbeatState,
    HeartbeatStatus,
    due_at,
    is_missed,
    missed_alert,
    recovered_alert,
)
from klaxon.events import AlertReceived, DetailType
from klaxon.ports import Clock, EventBus, IdGenerator, Keyed
from klaxon.ports.noise import HeartbeatStore
from klaxon.services.access.rate_limits import RateLimiter

ATTEMPTS = 5


class HeartbeatView(Model):
    id: str
    service: str
    interval_seconds: int
    grace_seconds: int
    status: HeartbeatStatus
    last_seen: datetime | None
    due_at: datetime


@dataclass
class HeartbeatService:
    heartbeats: Callable[[], Mapping[str, Heartbeat]]  # by key digest, from the configuration
    keyed: Keyed  # the pepper keys are digested under
    store: HeartbeatStore
    bus: EventBus
    clock: Clock
    ids: IdGenerator
    limiter: RateLimiter | None = None  # pings a minute per heartbeat

    def ping(self, key: str) -> HeartbeatView:
        """The job is alive: record it, and resolve its incident if it had been missed."""
        hashed, configured = hash_key(key), self.heartbeats()
        # Stored under the pepper's digest; a document from before keys were peppered holds the SHA-256.
        heartbeat = configured.get(self.keyed.digest(hashed)) or configured.get(hashed)
        if heartbeat is None:
            raise Unauthorized("the key is not the key of any heartbeat")
        if self.limiter is not None:
            self.limiter.admit(Subject.HEARTBEAT, heartbeat.id)
        now = self.clock.now()
        for _ in range(ATTEMPTS):
            found = self.store.get(heartbeat.id)
            before, version = (
                found if found else (HeartbeatState(heartbeat=heartbeat.id, watched_since=now), None)
            )
            state = before.model_copy(
                update={"last_seen": now, "status": HeartbeatStatus.OK, "missed_at": None}
            )
            try:
                self.store.put(state, version=version)
            except Conflict:
                continue
            if before.status is HeartbeatStatus.MISSED:
                self._publish(recovered_alert(heartbeat, alert_id=self.ids.new_id(), now=now))
            return _view(heartbeat, state)
        raise Conflict(f"heartbeat {heartbeat.id} kept changing; ping again")

    def check(self) -> list[str]:
        """The scheduled run: every heartbeat past due opens its incident, once per miss."""
        missed = []
        for heartbeat in self.heartbeats().values():
            if self._check_one(heartbeat):
                missed.append(heartbeat.id)
        return missed

    def _check_one(self, heartbeat: Heartbeat) -> bool:
        now = self.clock.now()
        found = self.store.get(heartbeat.id)
        if found is None:  # first seen: the interval runs from now
            with contextlib.suppress(Conflict):  # a ping got there first
                self.store.put(HeartbeatState(heartbeat=heartbeat.id, watched_since=now), version=None)
            return False
        state, version = found
        if not is_missed(heartbeat, state, now):
            return False
        try:
            self.store.put(
                state.model_copy(update={"status": HeartbeatStatus.MISSED, "missed_at": now}), version=version
            )
        except Conflict:
            return False  # pinged (or checked by another run) meanwhile
        self._publish(missed_alert(heartbeat, state, alert_id=self.ids.new_id(), now=now))
        return True

    def list(self) -> list[HeartbeatView]:
        views = []
        for heartbeat in sorted(self.heartbeats().values(), key=lambda h: h.id):
            found = self.store.get(heartbeat.id)
            state = (
                found[0] if found else HeartbeatState(heartbeat=heartbeat.id, watched_since=self.clock.now())
            )
            views.append(_view(heartbeat, state))
        return views

    def _publish(self, alert: Alert) -> None:
        self.bus.publish(DetailType.ALERT_RECEIVED, AlertReceived(alert=alert))


def _view(heartbeat: Heartbeat, state: HeartbeatState) -> HeartbeatView:
    return HeartbeatView(
        id=heartbeat.id,
        service=heartbeat.service,
        interval_seconds=int(heartbeat.interval.total_seconds()),
        grace_seconds=int(heartbeat.grace.total_seconds()),
        status=state.status,
        last_seen=state.last_seen,
        due_at=due_at(heartbeat, state),
    )

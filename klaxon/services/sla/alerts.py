"""The budgets' threshold alerts (every 5 minutes): each threshold a customer's budget has passed in its
window is claimed once, then its alert goes on the bus as any monitoring tool's would ("Alert Received"),
to be routed, deduplicated and paged like the rest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from klaxon.domain.chat.rooms import ChatFailed
from klaxon.domain.sla.thresholds import (
    RUNS_OUT,
    AlertPolicy,
    crossed,
    once_key,
    runs_out_soon,
    threshold_alert,
)
from klaxon.events import AlertReceived, DetailType
from klaxon.ports import Clock, EventBus, IdGenerator
from klaxon.services.sla.budgets import SlaService

log = logging.getLogger(__name__)


@dataclass
class SlaAlerts:
    budgets: SlaService
    policy: Callable[[], AlertPolicy | None]
    claim: Callable[[str], bool]  # a threshold's alert in its window: True the first time only
    release: Callable[[str], None]  # undo a claim whose alert did not reach the bus
    bus: EventBus
    clock: Clock
    ids: IdGenerator
    # Say a budget about to run out in the rooms of the open incidents burning it (the channel, besides
    # the page): an incident's room (None without one), and how to post to one.
    room_of: Callable[[str], str | None] = lambda _incident_id: None
    post: Callable[[str, str], object] | None = None

    def check(self) -> list[str]:
        """Raise every threshold alert owed now; what was raised (customer#slo#threshold#window)."""
        policy = self.policy()
        if policy is None:
            return []
        raised = []
        now = self.clock.now()
        for found in self.budgets.budgets():
            owed: list[int | str] = [*crossed(found, policy.thresholds)]
            if runs_out_soon(found, policy, now):
                owed.append(RUNS_OUT)
            for threshold in owed:
                key = once_key(found, threshold)
                if not self.claim(key):
                    continue
                alert = threshold_alert(
                    found, threshold, policy, alert_id=self.ids.new_id(), now=self.clock.now()
                )
                try:
                    self.bus.publish(DetailType.ALERT_RECEIVED, AlertReceived(alert=alert))
                except Exception:
                    self.release(key)  # the next run raises it again: never lost
                    raise
                raised.append(key)
                if threshold == RUNS_OUT:
                    self._tell_rooms(found.components, alert.summary or key)
        return raised

    def _tell_rooms(self, components: Sequence[str], text: str) -> None:
        """A failed post is logged: the alert is raised, and the summary shows the budget too."""
        if self.post is None:
            return
        rooms = (self.room_of(incident_id) for incident_id in self.budgets.burning_incidents(components))
        for room in (room for room in rooms if room):
            try:
                self.post(room, text)
            except ChatFailed as error:
                log.warning("the room %s was not told %r: %s", room, text, error)

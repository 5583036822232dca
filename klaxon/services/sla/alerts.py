"""The budgets' threshold alerts (every 5 minutes): each threshold a customer's budget has passed in its
window is claimed once, then its alert goes on the bus as any monitoring tool's would ("Alert Received"),
to be routed, deduplicated and paged like the rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass
class SlaAlerts:
    budgets: SlaService
    policy: Callable[[], AlertPolicy | None]
    claim: Callable[[str], bool]  # a threshold's alert in its window: True the first time only
    release: Callable[[str], None]  # undo a claim whose alert did not reach the bus
    bus: EventBus
    clock: Clock
    ids: IdGenerator

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
        return raised

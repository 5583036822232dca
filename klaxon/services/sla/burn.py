"""Burn-rate alerts of alert-driven SLOs (every 5 minutes, with the threshold alerts): each rule of the
SRE workbook's table that fires raises its alert once (marked in the config table's `sla-burn`
partition), and resolves it once the rule no longer fires, so the incident it opened closes by itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from klaxon.domain.sla.budget import Slo
from klaxon.domain.sla.burn import LONGEST, RULES, burn_alert, burning
from klaxon.domain.sla.downtime import Span
from klaxon.domain.sla.thresholds import AlertPolicy
from klaxon.domain.statuspage.models import ComponentStatus
from klaxon.events import AlertReceived, DetailType
from klaxon.ports import Clock, EventBus, IdGenerator, IncidentRepository
from klaxon.services.incident.opened import opened_between

OPEN_END = datetime.max.replace(tzinfo=UTC)


@dataclass
class SlaBurn:
    incidents: IncidentRepository
    slos: Callable[[], Mapping[str, Slo]]
    policy: Callable[[], AlertPolicy | None]  # where the alerts go (sla_alerts.service)
    mark: Callable[[str], bool]  # True when the rule was not firing before
    unmark: Callable[[str], bool]  # True when it was
    bus: EventBus
    clock: Clock
    ids: IdGenerator

    def check(self) -> list[str]:
        """Raise or resolve each rule's alert as it starts or stops firing; what changed ("slo#rule +/-")."""
        policy, driven = self.policy(), [s for s in self.slos().values() if s.alerts is not None]
        if policy is None or not driven:
            return []
        now = self.clock.now()
        opened = opened_between(self.incidents, now - LONGEST, now)
        changed = []
        for slo in driven:
            assert slo.alerts is not None
            spans = [
                Span(i.created_at, i.resolved_at or OPEN_END, ComponentStatus.MAJOR_OUTAGE)
                for i in opened
                if slo.alerts.matches(i)
            ]
            firing = {found.rule.name: found for found in burning(spans, slo.target, now)}
            for rule in RULES:
                key = f"{slo.id}#{rule.name}"
                found = firing.get(rule.name)
                if not (self.mark(key) if found else self.unmark(key)):
                    continue
                alert = burn_alert(slo.id, rule, found, policy.service, alert_id=self.ids.new_id(), now=now)
                try:
                    self.bus.publish(DetailType.ALERT_RECEIVED, AlertReceived(alert=alert))
                except Exception:
                    _ = self.unmark(key) if found else self.mark(key)  # as it was: the next run tries again
                    raise
                changed.append(f"{key} {'+' if found else '-'}")
        return changed

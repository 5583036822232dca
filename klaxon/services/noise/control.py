"""Noise control around the router: grouping keys, muting new incidents, resolving a group's alerts, release.

The router keeps its race-free dedup: grouping only changes the dedup key an alert claims (the group's),
and muting only changes the urgency an incident opens with (low: escalation starts for high urgency
only). Neither adds a write to an alert's path; releasing a muted incident is one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.lifecycle import allowed_from, is_stale
from klaxon.domain.incident.models import Alert, AlertAction, Incident, IncidentStatus, TimelineEntry
from klaxon.domain.noise.grouping import (
    RESOLVED,
    GroupRule,
    after,
    alert_labels,
    as_group_alert,
    compact_for,
    firing,
    group_key,
    joins,
    members,
)
from klaxon.domain.noise.inhibition import InhibitionRule, inhibitor, rules_targeting, source_labels
from klaxon.domain.noise.maintenance import MaintenanceWindow, active_windows
from klaxon.domain.noise.muting import mute, released_urgency, why_muted
from klaxon.events import DetailType, IncidentEvent, IncidentSnapshot
from klaxon.ports import Clock, GroupedAlert, NoiseIncidents

log = logging.getLogger(__name__)
ATTEMPTS = 20  # optimistic retries of a group's resolve while its other alerts keep arriving


@dataclass(frozen=True)
class NoiseSettings:
    """What the configuration says: grouping per service, inhibition rules, declared windows."""

    grouping: Mapping[str, GroupRule] = field(default_factory=dict)
    inhibition: tuple[InhibitionRule, ...] = ()
    windows: tuple[MaintenanceWindow, ...] = ()


@dataclass(frozen=True)
class Grouped:
    """An alert routed by its group: `alert` carries the group key as dedup key and its members."""

    alert: Alert
    rule: GroupRule

    def joins(self, incident: Incident, now: datetime) -> bool:
        return joins(incident, self.alert, self.rule.window, now)

    def joining(self, incident: Incident) -> Alert:
        """The alert as it joins `incident` (a big group keeps only fingerprints and statuses)."""
        return compact_for(incident, self.alert)


@dataclass
class NoiseControl:
    incidents: NoiseIncidents
    settings: Callable[[], NoiseSettings]
    stored_windows: Callable[[datetime], list[MaintenanceWindow]]  # those not ended at the time given
    clock: Clock

    # --- grouping ---------------------------------------------------------------------------------

    def group(self, alert: Alert) -> Grouped | None:
        """The alert as its group's, when its service groups and it has any of the group_by labels."""
        rule = self.settings().grouping.get(alert.service)
        if rule is None:
            return None
        key = group_key(alert_labels(alert), rule)
        return None if key is None else Grouped(alert=as_group_alert(alert, key), rule=rule)

    # --- a new incident ---------------------------------------------------------------------------

    def windows(self, now: datetime) -> list[MaintenanceWindow]:
        return [*self.settings().windows, *self.stored_windows(now)]

    def on_open(
        self, incident: Incident, alert: Alert, group: GroupedAlert | None, now: datetime
    ) -> Incident:
        """The incident as it opens: labelled, marked grouped, and muted in a window or under a source."""
        labels = alert_labels(alert)
        incident = incident.model_copy(update={"labels": labels, "grouped": group is not None})
        if incident.drill:
            return incident  # a drill exists to page
        windows = active_windows(self.windows(now), incident.service, now)
        if windows:
            return mute(incident, maintenance_window=windows[0].id)
        source = self._inhibitor(labels, incident.id)
        return mute(incident, inhibited_by=source) if source else incident

    def _inhibitor(self, labels: Mapping[str, str], itself: str, excluding: str = "") -> str | None:
        """The open incident that mutes an incident with `labels`, confirmed open by a consistent read:
        the lookup reads an index, which may still show a source resolved a moment ago, and an incident
        muted under it would wait for the next maintenance tick to page (its release may have run)."""
        rules = rules_targeting(self.settings().inhibition, labels)
        if not rules:
            return None
        sources = [
            found
            for rule in rules
            for found in self.incidents.open_matching(source_labels(rule, labels))
            if found.incident_id != excluding
        ]
        while (chosen := inhibitor(rules, labels, sources, itself=itself)) is not None:
            status = self.incidents.status(chosen)
            if status is not None and status.is_open:
                return chosen
            sources = [s for s in sources if s.incident_id != chosen]
        return None

    # --- a group's alerts acknowledging or resolving ----------------------------------------------

    def follow_up(self, alert: Alert) -> tuple[str, Incident | None] | None:
        """Acknowledge or resolve by one alert of a group; None when the service does not group."""
        if alert.service not in self.settings().grouping:
            return None
        outcome: tuple[str, Incident | None] = ("dropped", None)
        for incident in self._holding(alert, [m.fingerprint for m in members(alert)]):
            if is_stale(alert, incident):  # a replay, or news of an earlier incident: the router records it
                outcome = ("stale", incident)
            elif alert.action is AlertAction.ACKNOWLEDGE:
                outcome = self._acknowledge(incident, alert) or outcome
            else:
                outcome = self._resolve_alerts(incident.id, alert) or outcome
        return outcome

    def resolve_elsewhere(self, alert: Alert, joined: str) -> None:
        """A trigger that says some of its alerts resolved: resolve them in the group incidents holding them
        (other than the one it joined, which recorded them already), so no resolve is lost."""
        resolved = [m for m in alert.instances if m.status == RESOLVED]
        if not resolved or alert.service not in self.settings().grouping:
            return
        only = alert.model_copy(update={"instances": resolved, "action": AlertAction.RESOLVE})
        for incident in self._holding(only, [m.fingerprint for m in resolved]):
            if incident.id != joined:
                self._resolve_alerts(incident.id, only)

    def _holding(self, alert: Alert, fingerprints: list[str]) -> list[Incident]:
        found = self.incidents.open_with_alerts(alert.service, fingerprints)
        return [incident for incident in found if incident.grouped]

    def _acknowledge(self, incident: Incident, alert: Alert) -> tuple[str, Incident | None] | None:
        if incident.status not in allowed_from(IncidentStatus.ACKNOWLEDGED):
            return None
        actor, now = f"integration:{alert.integration}", self.clock.now()
        entry = TimelineEntry(
            subject=incident.id,
            at=now,
            kind=IncidentStatus.ACKNOWLEDGED.value,
            actor=actor,
            message=f"Acknowledged by {alert.source_kind} event for one of its alerts",
            data={"alert_id": alert.id},
        )
        event = IncidentEvent(DetailType.INCIDENT_ACKNOWLEDGED, actor, f"{alert.source_kind} acknowledge")
        try:
            updated = self.incidents.transition(
                incident.id, IncidentStatus.ACKNOWLEDGED, actor=actor, now=now, entry=entry, event=event
            )
        except Conflict:
            return None
        return "acknowledged", updated

    def _resolve_alerts(self, incident_id: str, alert: Alert) -> tuple[str, Incident | None] | None:
        """Mark the alert's members resolved; resolve the incident when none of its alerts still fires.

        Both writes are conditional on the incident's revision, which every joining alert bumps: two
        alerts resolving at once, or one joining while the last resolves, make one writer read again.
        """
        actor = f"integration:{alert.integration}"
        resolving = alert.model_copy(update={"instances": members(alert)})
        for _ in range(ATTEMPTS):
            current = self.incidents.get(incident_id)
            if current is None or not current.status.is_open:
                return None
            now, recorded = self.clock.now(), compact_for(current, resolving)
            try:
                if firing(after(current.alerts, recorded.instances)):
                    updated = self.incidents.update_alerts(
                        incident_id,
                        recorded,
                        now,
                        expected_revision=current.revision,
                        event=IncidentEvent(DetailType.INCIDENT_UPDATED, actor, "alert resolved"),
                    )
                    return "updated", updated
                entry = TimelineEntry(
                    subject=incident_id,
                    at=now,
                    kind=IncidentStatus.RESOLVED.value,
                    actor=actor,
                    message=f"Resolved: the last of its {len(current.alerts)} alerts resolved",
                    data={"alert_id": alert.id},
                )
                updated = self.incidents.transition(
                    incident_id,
                    IncidentStatus.RESOLVED,
                    actor=actor,
                    now=now,
                    entry=entry,
                    event=IncidentEvent(DetailType.INCIDENT_RESOLVED, actor, f"{alert.source_kind} resolve"),
                    alert=recorded,
                    expected_revision=current.revision,
                )
            except Conflict:
                continue
            return "resolved", updated
        raise Conflict(f"incident {incident_id} kept changing while alert {alert.id} resolved")

    # --- release ----------------------------------------------------------------------------------

    def on_resolved(self, source: IncidentSnapshot) -> list[Incident]:
        """A resolved incident releases the incidents it inhibited: still triggered, they page now."""
        released = []
        why = f"inhibiting incident #{source.number} resolved"
        for target in self.incidents.muted():
            if target.inhibited_by == source.id:
                found = self._after_source(target, source.id, why, self.clock.now())
                released += [found] if found else []
        return released

    def release_lapsed(self, now: datetime) -> list[Incident]:
        """Every minute (the maintenance tick): triggered incidents muted for a reason that is gone page
        now, or move to another open source. A maintenance window that ended; or an inhibiting incident
        that resolved without releasing them (each opened as it resolved, after its release had read the
        muted incidents). Windows first: reading a source can fail, and should not hold them back."""
        muted = self.incidents.muted()
        windows = self.windows(now)
        released = []
        for target in (t for t in muted if t.maintenance_window is not None):
            if not active_windows(windows, target.service, now):
                message = f"Released: maintenance window {target.maintenance_window!r} ended; paging now"
                found = self._release(target, now, message, inhibited_by=None)
                released += [found] if found else []
        sources: dict[str, Incident | None] = {}  # each source read once a tick, however many it mutes
        for target in muted:
            source_id = target.inhibited_by
            if target.maintenance_window is not None or source_id is None:
                continue
            if source_id not in sources:
                sources[source_id] = self.incidents.get(source_id)
            source = sources[source_id]
            if source is not None and source.status.is_open:
                continue
            why = (
                f"inhibiting incident #{source.number} resolved"
                if source is not None
                else f"inhibiting incident {source_id} not found"
            )
            found = self._after_source(target, source_id, why, now)
            released += [found] if found else []
        return released

    def _after_source(self, target: Incident, source_id: str, why: str, now: datetime) -> Incident | None:
        """A muted incident whose inhibiting incident is gone (`why`): muted under another open source if
        one inhibits it (None), else released (the incident as it pages now; None if it changed meanwhile)."""
        other = self._inhibitor(target.labels, target.id, excluding=source_id)
        if other is not None:
            entry = self._entry(target, now, "inhibited", f"Still inhibited, now by incident {other}")
            try:
                self.incidents.reinhibit(
                    target.id, from_source=source_id, to_source=other, now=now, entry=entry
                )
            except Conflict:
                log.info("incident %s changed before it could be inhibited again", target.id)
            return None
        return self._release(target, now, f"Released: {why}; paging now", inhibited_by=source_id)

    def _release(
        self, target: Incident, now: datetime, message: str, *, inhibited_by: str | None
    ) -> Incident | None:
        entry = self._entry(target, now, "released", message)
        event = IncidentEvent(
            DetailType.INCIDENT_TRIGGERED, "system:noise", f"released ({why_muted(target)})"
        )
        try:
            return self.incidents.release(
                target.id,
                urgency=released_urgency(target),
                inhibited_by=inhibited_by,
                now=now,
                entry=entry,
                event=event,
            )
        except Conflict:
            return None  # acknowledged, resolved or released by someone else meanwhile

    @staticmethod
    def _entry(incident: Incident, now: datetime, kind: str, message: str) -> TimelineEntry:
        return TimelineEntry(subject=incident.id, at=now, kind=kind, actor="system:noise", message=message)

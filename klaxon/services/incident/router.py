"""Turn accepted alerts into incidents with PagerDuty's dedup semantics, race-free under concurrency."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.bounds import bound
from klaxon.domain.incident.dedup import (
    CLAIM_TIMEOUT,
    REDELIVERY_WINDOW,
    Decision,
    DedupClaim,
    decide,
    was_delivered,
)
from klaxon.domain.incident.lifecycle import began, is_stale, open_incident
from klaxon.domain.incident.models import (
    Alert,
    AlertAction,
    ChangeEvent,
    Incident,
    IncidentStatus,
    TimelineEntry,
    changes_subject,
)
from klaxon.domain.noise.muting import muted_note
from klaxon.domain.runbooks.choice import NO_RUNBOOKS, Runbooks
from klaxon.events import AlertReceived, DetailType, IncidentEvent
from klaxon.ports import (
    Clock,
    GroupedAlert,
    IdGenerator,
    IncidentRepository,
    NoisePolicy,
    PayloadStore,
    TimelineRepository,
)

log = logging.getLogger(__name__)
CLAIM_POLL_SECONDS = 0.02

_TARGET = {AlertAction.ACKNOWLEDGE: IncidentStatus.ACKNOWLEDGED, AlertAction.RESOLVE: IncidentStatus.RESOLVED}
_EVENT = {
    IncidentStatus.ACKNOWLEDGED: DetailType.INCIDENT_ACKNOWLEDGED,
    IncidentStatus.RESOLVED: DetailType.INCIDENT_RESOLVED,
}


class RouteResult(StrEnum):
    CREATED = "created"  # opened a new incident
    ADDED = "added"  # joined an open incident
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    UPDATED = "updated"  # a group's incident recorded some of its alerts resolving; others still fire
    UNCHANGED = "unchanged"  # the incident already was so (a redelivery): nothing changes or is published
    DROPPED = "dropped"  # an acknowledge or resolve with no open incident to apply to
    STALE = "stale"  # an acknowledge or resolve from before the open incident began: recorded, not applied


@dataclass(frozen=True)
class Outcome:
    """What routing one alert did, and to which incident."""

    result: RouteResult
    incident: Incident | None = None


class NoNoise:
    """No grouping, no maintenance windows, no inhibition: every alert stands alone and pages."""

    def group(self, alert: Alert) -> GroupedAlert | None:
        return None

    def on_open(
        self, incident: Incident, alert: Alert, group: GroupedAlert | None, now: datetime
    ) -> Incident:
        return incident

    def resolve_elsewhere(self, alert: Alert, joined: str) -> None:
        return None

    def follow_up(self, alert: Alert) -> tuple[str, Incident | None] | None:
        return None


@dataclass
class RouterService:
    incidents: IncidentRepository
    timeline: TimelineRepository
    payloads: PayloadStore
    clock: Clock
    ids: IdGenerator
    noise: NoisePolicy = field(default_factory=NoNoise)  # grouping, windows, inhibition (services.noise)
    runbooks: Callable[[], Runbooks] = lambda: NO_RUNBOOKS  # the configuration's, per revision

    def handle(self, detail: AlertReceived) -> Outcome:
        return self.route(self.alert_of(detail))

    def alert_of(self, detail: AlertReceived) -> Alert:
        """The alert an Alert Received event carries, or the one it names in the payload store."""
        if detail.alert is not None:
            return detail.alert
        if detail.payload_ref is None:
            raise ValueError("Alert Received carries neither an alert nor a payload reference")
        return Alert.model_validate_json(self.payloads.get(detail.payload_ref))

    def route(self, alert: Alert) -> Outcome:
        if alert.action is AlertAction.TRIGGER:
            return self._trigger(alert)
        return self._follow_up(alert)

    def _trigger(self, alert: Alert) -> Outcome:
        """Join the open incident of the dedup key, or claim the key and open a new one.

        Only the writer whose conditional claim wins takes an incident number, so numbers have no gaps
        from lost races. A claim whose incident is not written yet is being created by another writer:
        wait for it, unless it is older than CLAIM_TIMEOUT (that writer died), then take the key over.
        """
        group = self.noise.group(alert)
        if group is not None:
            alert = group.alert  # claims the group's key; keeps its own identity in `instances`
        deadline = time.monotonic() + CLAIM_TIMEOUT.total_seconds() * 2
        while time.monotonic() < deadline:
            claim = self.incidents.latest_for_dedup_key(alert.service, alert.dedup_key)
            latest = self.incidents.get(claim.incident_id) if claim else None
            decision = decide(claim, latest, group, self.clock.now())
            if decision is Decision.WAIT:
                time.sleep(CLAIM_POLL_SECONDS)
                continue
            if decision is Decision.JOIN:
                assert latest is not None
                joined = self._join(latest, alert, group)
                if joined is not None:
                    return joined
                continue  # resolved under us (a new incident follows), or raced another alert: retry
            delivered = self._delivered_before(alert)
            if delivered is not None:
                return Outcome(RouteResult.UNCHANGED, delivered)
            incident_id = self.ids.new_id()
            try:
                self.incidents.claim_dedup_key(
                    alert.service,
                    alert.dedup_key,
                    incident_id,
                    self.clock.now(),
                    replaces=claim.incident_id if claim else None,
                )
            except Conflict:
                continue  # another trigger for the same key won; join its incident
            return self._open(alert, incident_id, group, claim)
        raise Conflict(
            f"could not place alert {alert.id}: its dedup key stayed claimed by an unfinished writer"
        )

    def _join(self, latest: Incident, alert: Alert, group: GroupedAlert | None) -> Outcome | None:
        """Add the alert to the open incident; None when the incident changed under us (try again)."""
        actor = f"integration:{alert.integration}"
        joining = group.joining(latest) if group is not None else alert
        added = IncidentEvent(DetailType.INCIDENT_UPDATED, actor, "alert added")
        try:
            incident = self.incidents.add_alerts(
                latest.id, [joining], self.clock.now(), known_count=latest.alert_count, event=added
            )
        except Conflict:
            again = self.incidents.get(latest.id)
            if again is not None and was_delivered(again, alert.id):
                return self._redelivered(again, alert.id)
            return None
        if group is not None:
            self.noise.resolve_elsewhere(alert, incident.id)
        return Outcome(RouteResult.ADDED, incident)

    def join_all(self, incident: Incident, alerts: Sequence[Alert]) -> Incident:
        """More alerts of the open incident's dedup key, that no grouping rule takes, joined in one write
        (services.incident.alert_batch); Conflict if it resolved meanwhile or already holds one of them.
        They must fit the generation of remembered ids the first starts (dedup.joinable_count)."""
        actor = f"integration:{alerts[-1].integration}"
        added = IncidentEvent(DetailType.INCIDENT_UPDATED, actor, f"{len(alerts)} alerts added")
        return self.incidents.add_alerts(
            incident.id, alerts, self.clock.now(), known_count=incident.alert_count, event=added
        )

    def _delivered_before(self, alert: Alert) -> Incident | None:
        """The incident of the key that already took this alert, since resolved: the bus delivered it again
        (a retry, a redrive, a replay), so it must open nothing. Only read when a new incident would open."""
        since = self.clock.now() - REDELIVERY_WINDOW
        recent = self.incidents.recent_for_dedup_key(alert.service, alert.dedup_key, since)
        return next((i for i in recent if was_delivered(i, alert.id)), None)

    def _open(
        self, alert: Alert, incident_id: str, group: GroupedAlert | None, claim: DedupClaim | None
    ) -> Outcome:
        """The key is ours: open its incident (numbered only now, so numbers have no gaps)."""
        try:
            incident = self._write_new(alert, incident_id, group)
        except Exception:
            self._let_go(alert, incident_id, claim)
            raise
        return Outcome(RouteResult.CREATED, incident)

    def _write_new(self, alert: Alert, incident_id: str, group: GroupedAlert | None) -> Incident:
        now = self.clock.now()
        incident = open_incident(
            alert,
            incident_id=incident_id,
            number=self.incidents.next_number(),
            now=now,
            runbook=self.runbooks().choose(alert),
        )
        incident = self._bounded(self.noise.on_open(incident, alert, group, now))
        entry = TimelineEntry(
            subject=incident.id,
            at=now,
            kind="triggered",
            actor=f"integration:{alert.integration}",
            message=f"Triggered by {alert.source_kind} alert: {incident.title}{muted_note(incident)}",
            data={
                "alert_id": alert.id,
                "priority": incident.priority.value,
                "urgency": incident.urgency.value,
            },
        )
        triggered = IncidentEvent(DetailType.INCIDENT_TRIGGERED, entry.actor, "alert triggered")
        self.incidents.create(incident, entry=entry, event=triggered)
        return incident

    def _let_go(self, alert: Alert, incident_id: str, claim: DedupClaim | None) -> None:
        """Writing the incident failed after the key was claimed (the counter, the payload store, the
        transaction): hand the key back, so the retry opens it at once instead of waiting out the claim.
        Not if the incident was written after all (a lost answer): the key stays with it."""
        try:
            if self.incidents.get(incident_id) is None:
                self.incidents.release_dedup_key(alert.service, alert.dedup_key, incident_id, restore=claim)
        except Exception:  # the first failure is the one to raise; the claim then times out as before
            log.exception("could not release the dedup key of alert %s", alert.id)

    def _bounded(self, incident: Incident) -> Incident:
        """A DynamoDB item holds 400 KB: what the record cannot hold goes to the payload store first
        (claim-check), under `details/`, which is kept as long as the incident."""
        bounded = bound(incident)
        kept = bounded.incident
        if bounded.details is not None:
            ref = self.payloads.put(f"details/{incident.id}.json", bounded.details)
            kept = kept.model_copy(update={"details_ref": ref})
        if bounded.attachments is not None:
            ref = self.payloads.put(f"details/{incident.id}.attachments.json", bounded.attachments)
            kept = kept.model_copy(update={"attachments_ref": ref})
        return kept

    def _redelivered(self, incident: Incident, alert_id: str) -> Outcome:
        """The same alert again (a retry after the router died, a redrive): it changes nothing, and
        publishes nothing, since its write's event left with that write (the outbox)."""
        opener = incident.first_alert_id
        created = opener == alert_id if opener is not None else incident.alert_count == 1
        return Outcome(RouteResult.CREATED if created else RouteResult.ADDED, incident)

    def _follow_up(self, alert: Alert) -> Outcome:
        """Acknowledge or resolve the open incident of a dedup key; unknown keys are accepted, dropped."""
        target = _TARGET[alert.action]
        claim = self.incidents.latest_for_dedup_key(alert.service, alert.dedup_key)
        incident = self.incidents.get(claim.incident_id) if claim else None
        if incident is None or not incident.status.is_open:
            grouped = self.noise.follow_up(alert)  # the alert may belong to a group's incident
            if grouped is not None and grouped[0] == RouteResult.STALE and grouped[1] is not None:
                return self._stale(alert, grouped[1], f"integration:{alert.integration}", self.clock.now())
            if grouped is not None:
                return Outcome(RouteResult(grouped[0]), grouped[1])
        if incident is not None and incident.status is target:
            return Outcome(RouteResult.UNCHANGED, incident)  # already done: its event left with that write
        if incident is None or not incident.status.is_open:
            log.info("dropped %s for dedup key with no matching open incident", alert.action.value)
            return Outcome(RouteResult.DROPPED, incident)
        actor = f"integration:{alert.integration}"
        now = self.clock.now()
        if is_stale(alert, incident):
            return self._stale(alert, incident, actor, now)
        entry = TimelineEntry(
            subject=incident.id,
            at=now,
            kind=target.value,
            actor=actor,
            message=f"{target.value.capitalize()} by {alert.source_kind} event",
            data={"alert_id": alert.id},
        )
        event = IncidentEvent(_EVENT[target], actor, f"{alert.source_kind} {alert.action.value}")
        try:
            updated = self.incidents.transition(
                incident.id, target, actor=actor, now=now, entry=entry, event=event, alert=alert
            )
        except Conflict:
            return Outcome(RouteResult.DROPPED, self.incidents.get(incident.id))
        return Outcome(RouteResult(target.value), updated)

    def _stale(self, alert: Alert, incident: Incident, actor: str, now: datetime) -> Outcome:
        """A replayed or late acknowledge or resolve: on the timeline, and nothing else changes."""
        assert alert.timestamp is not None
        start = began(incident)
        self.timeline.add(
            TimelineEntry(
                subject=incident.id,
                at=now,
                kind="ignored",
                actor=actor,
                message=f"Ignored: stale {alert.action.value} from {alert.source_kind}: the event is from "
                f"{alert.timestamp.isoformat()}, before this incident began at {start.isoformat()}",
                data={"alert_id": alert.id, "event_at": alert.timestamp.isoformat()},
            )
        )
        log.warning("ignored a stale %s for incident %s", alert.action.value, incident.id)
        return Outcome(RouteResult.STALE, incident)

    def record_change(self, change: ChangeEvent) -> None:
        """A change event is one line on its service's timeline."""
        self.timeline.add(
            TimelineEntry(
                subject=changes_subject(change.service),
                at=change.timestamp or change.received_at,
                kind="change",
                actor=f"integration:{change.integration}",
                message=change.summary,
                data={"source": change.source, "links": [link.model_dump() for link in change.links]},
            )
        )

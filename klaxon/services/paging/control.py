"""What changes an escalation from outside its ticks: people (escalate now, reassign), and an
acknowledgement or resolution (stop the round, start the acknowledgement timer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from klaxon.domain.errors import Conflict, InvalidInput, NotFound
from klaxon.domain.incident.models import Incident, IncidentStatus, TimelineEntry
from klaxon.events import DetailType, IncidentEvent, IncidentSnapshot
from klaxon.ports import Clock, IncidentRepository
from klaxon.ports.paging import EscalationRunner, NotificationRecords
from klaxon.services.paging.policies import USER_POLICY_PREFIX, PoliciesAndPeople, policy_of


@dataclass
class EscalationControl:
    """What people do to an escalation: escalate now, reassign. Each starts a new round on the bus."""

    incidents: IncidentRepository
    records: NotificationRecords
    directory: Callable[[], PoliciesAndPeople]
    clock: Clock

    def escalate_now(self, incident_id: str, actor: str) -> Incident:
        """Page the next step at once instead of waiting for it."""
        incident = self._triggered(incident_id)
        tick = self.records.latest_tick(incident.id, incident.escalation_round)
        policy = policy_of(incident, self.directory())
        if policy is None:
            raise InvalidInput(
                "no escalation policy", [f"service {incident.service!r} has no escalation policy"]
            )
        next_step = 0 if tick is None else (tick.step + 1) % len(policy.steps)
        return self._restart(
            incident, None, next_step, actor, f"Escalated to step {next_step + 1} by {actor}"
        )

    def reassign(self, incident_id: str, *, user: str | None, policy: str | None, actor: str) -> Incident:
        """Hand the incident to a user (paged by their own rules) or to another policy, from step one."""
        if (user is None) == (policy is None):
            raise InvalidInput("reassign to one target", ["give exactly one of user or escalation_policy"])
        directory = self.directory()
        if user is not None and user not in directory.people:
            raise NotFound(f"no user {user!r}")
        if policy is not None and policy not in directory.policies:
            raise NotFound(f"no escalation policy {policy!r}")
        incident = self._triggered(incident_id)
        target = f"{USER_POLICY_PREFIX}{user}" if user else policy
        return self._restart(incident, target, 0, actor, f"Reassigned to {user or policy} by {actor}")

    def _triggered(self, incident_id: str) -> Incident:
        incident = self.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id!r}")
        if incident.status is not IncidentStatus.TRIGGERED:
            raise Conflict(f"incident {incident.number} is {incident.status.value}: nothing is escalating")
        return incident

    def _restart(
        self, incident: Incident, policy: str | None, step: int, actor: str, message: str
    ) -> Incident:
        now = self.clock.now()
        entry = TimelineEntry(
            subject=incident.id, at=now, kind="escalation restarted", actor=actor, message=message
        )
        return self.incidents.restart_escalation(
            incident.id,
            expected_round=incident.escalation_round,
            policy=policy,
            from_step=step,
            retrigger=False,
            now=now,
            entry=entry,
            event=IncidentEvent(DetailType.INCIDENT_TRIGGERED, actor, message),
        )


@dataclass
class EscalationStopper:
    """An incident acknowledged or resolved: stop its round, and start the acknowledgement timer the
    policy asks for (the incident re-triggers when nobody resolves it in time)."""

    runner: EscalationRunner
    directory: Callable[[], PoliciesAndPeople]

    def on_change(self, incident: IncidentSnapshot) -> tuple[bool, bool]:
        """(whether a running round was stopped, whether an acknowledgement timer was started)."""
        # A P3/P4 incident never escalated; the step function also ends a run that finds it acknowledged.
        stopped = self.runner.stop(
            incident.id, incident.escalation_round, f"incident {incident.status.value}"
        )
        timer = incident.status is IncidentStatus.ACKNOWLEDGED and self._ack_timer(incident)
        return stopped, timer

    def _ack_timer(self, incident: IncidentSnapshot) -> bool:
        policy = policy_of(incident, self.directory())
        if policy is None or policy.ack_timeout_minutes is None or incident.acknowledged_at is None:
            return False
        if incident.muted_urgency is not None:
            return False  # muted (maintenance, inhibition): it pages nobody until released
        # Low urgency too: triggered again, it is told again by its policy's low-urgency channels.
        self.runner.start_ack_timer(
            incident.id, incident.escalation_round, incident.acknowledged_at.isoformat()
        )
        return True

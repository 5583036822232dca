"""The escalation sweeper, every minute: restores paging for any triggered incident that lost its run.

An execution deleted or stopped behind Klaxon's back, one that failed or timed out, a bus rule that did
not fire: each leaves an incident triggered with nobody paging. The sweeper checks the invariant of
`domain.paging.sweep` for every triggered incident, resumes what is missing at the last claimed tick (as
that run's retry, so nothing is paged twice), and writes each restoration to the incident's timeline.

It also fires acknowledgement timers that were lost: an incident still acknowledged 30 seconds past its
policy's `ack_timeout_minutes` is triggered again, as its timer would have done (the timer's execution
may have been stopped, failed, or run into Step Functions' execution limit on a long timeout).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from klaxon.domain.incident.models import Incident, IncidentStatus, TimelineEntry
from klaxon.domain.paging.sweep import GRACE, ack_timer_lost, restore
from klaxon.ports import Clock, IncidentQuery, IncidentRepository, TimelineRepository
from klaxon.ports.paging import EscalationRunner, NotificationRecords
from klaxon.services.paging.ack_timeout import retrigger
from klaxon.services.paging.policies import PoliciesAndPeople, policy_of

log = logging.getLogger(__name__)
PAGE_SIZE = 100


@dataclass
class EscalationSweeper:
    incidents: IncidentRepository
    records: NotificationRecords
    runner: EscalationRunner
    directory: Callable[[], PoliciesAndPeople]
    timeline: TimelineRepository
    clock: Clock
    grace: timedelta = GRACE

    def sweep(self) -> list[str]:
        """Restore every lost escalation and acknowledgement timer; the ids of the incidents restored."""
        running = self.runner.running()
        directory = self.directory()
        restored = [
            incident.id
            for incident in self._with_status(IncidentStatus.TRIGGERED)
            if self._restore(incident, directory, (incident.id, incident.escalation_round) in running)
        ]
        if not any(p.ack_timeout_minutes for p in directory.policies.values()):
            return restored  # no timer can be due: skip reading every acknowledged incident each minute
        return restored + [
            incident.id
            for incident in self._with_status(IncidentStatus.ACKNOWLEDGED)
            if self._fire_lost_timer(incident, directory)
        ]

    def _with_status(self, status: IncidentStatus) -> list[Incident]:
        found, cursor = [], None
        while True:
            page = self.incidents.query(IncidentQuery(status=status, limit=PAGE_SIZE, cursor=cursor))
            found += page.incidents
            if page.next is None:
                return found
            cursor = page.next

    def _fire_lost_timer(self, incident: Incident, directory: PoliciesAndPeople) -> bool:
        policy = policy_of(incident, directory)
        timeout = policy.ack_timeout_minutes if policy else None
        now = self.clock.now()
        due = ack_timer_lost(incident, timeout_minutes=timeout, now=now, grace=self.grace)
        if timeout is None or not due:
            return False
        again = retrigger(
            self.incidents,
            incident,
            timeout_minutes=timeout,
            now=now,
            actor="system:sweeper",
            note=" (its timer was lost: the sweeper fired it)",
        )
        if again is not None:
            log.warning("incident %s outlived its acknowledgement timer: triggered again", incident.id)
        return again is not None

    def _restore(self, incident: Incident, directory: PoliciesAndPeople, running: bool) -> bool:
        round_ = incident.escalation_round
        found = restore(
            incident,
            pages=policy_of(incident, directory) is not None,
            running=running,
            last=None if running else self.records.latest_claim(incident.id, round_),
            finished=not running and self.records.finished(incident.id, round_),
            now=self.clock.now(),
            grace=self.grace,
        )
        if found is None:
            return False
        name = self.runner.resume(incident.id, round_, found.claim, self.clock.now())
        where = (
            f"step {found.claim.tick.step + 1} (loop {found.claim.tick.loop + 1})"
            if found.claim
            else "its first step"
        )
        log.warning("incident %s was triggered with nobody paging: resumed at %s", incident.id, where)
        self.timeline.add(
            TimelineEntry(
                subject=incident.id,
                at=self.clock.now(),
                kind="escalation restored",
                actor="system:sweeper",
                message=f"Triggered with no escalation running: resumed at {where}",
                data={"execution": name, "round": round_},
            )
        )
        return True

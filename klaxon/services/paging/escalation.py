"""Run one tick of an incident's escalation: claim it, page whoever is due, say when to come back.

Called by the Step Functions task between waits. Never pages after an acknowledgement: the tick is
claimed, and every send reserved, in transactions that check the incident is still triggered. A send's
reservation is its first attempt's last look at the incident; each retry, after its backoff, reads the
status again. Every send is reserved under its idempotency key with a lease first, so a retried task
sends what a crashed attempt left unsent, and nothing twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import Incident, IncidentStatus, TimelineEntry, Urgency
from klaxon.domain.model import Model
from klaxon.domain.paging.drill import scaled_wait_seconds
from klaxon.domain.paging.escalation import Tick, due_channels, next_tick, step_for
from klaxon.domain.paging.pages import (
    DeliveryFailed,
    DeliveryStatus,
    Notification,
    Page,
    ToReserve,
    distinct,
    result_line,
)
from klaxon.domain.paging.policy import Channel, EscalationPolicy, Step
from klaxon.ports import (
    Clock,
    IdGenerator,
    IncidentRepository,
    Notifier,
    TimelineRepository,
)
from klaxon.ports.paging import NotificationRecords
from klaxon.services.paging.ack_timeout import retrigger
from klaxon.services.paging.policies import Person, PoliciesAndPeople, policy_of, step_users

log = logging.getLogger(__name__)
SEND_ATTEMPTS = 3
SEND_BACKOFF_SECONDS = 0.2


class EscalationState(Model):
    """The state machine's payload between ticks (kept small: it travels through every state)."""

    incident_id: str
    round: int = 0
    loop: int = 0
    step: int = 0
    at_minute: int = 0
    step_def: Step | None = None  # the step as it was when it started: edits apply from the next step
    token: str | None = None  # claim token of this tick; a retried task reuses it
    wait_seconds: int = 0
    done: bool = False
    reason: str | None = None
    ack_timer: bool = False  # this run only waits out the policy's acknowledgement timeout, then re-triggers
    acknowledged_at: str | None = None  # the acknowledgement the timer is for


@dataclass
class EscalationService:
    incidents: IncidentRepository
    records: NotificationRecords
    timeline: TimelineRepository
    directory: Callable[[], PoliciesAndPeople]
    on_call: Callable[[str, datetime], list[str]]
    notifier: Notifier
    clock: Clock
    ids: IdGenerator
    ack_url: Callable[[Incident, str], str | None] = field(default=lambda incident, user: None)
    sleep: Callable[[float], None] = time.sleep

    def run(self, state: EscalationState) -> EscalationState:
        incident = self.incidents.get(state.incident_id)
        if incident is None:
            return self._end(state, "incident not found")
        if state.ack_timer:
            return self._ack_timer(state, incident)
        if incident.status is not IncidentStatus.TRIGGERED:
            return self._end(state, f"incident is {incident.status.value}")
        if incident.escalation_round != state.round:
            return self._end(state, "escalation was restarted")
        directory = self.directory()
        policy = policy_of(incident, directory)
        if policy is None:
            return self._end(state, f"no escalation policy for service {incident.service!r}")
        if incident.urgency is Urgency.LOW:
            return self._tell_low_urgency(state, incident, policy, directory)
        tick = Tick(loop=state.loop, step=state.step, at_minute=state.at_minute)
        if state.token is None and tick == Tick():
            tick = Tick(step=incident.escalation_from_step)  # a round started by "escalate now"
        if state.step_def is not None and tick.at_minute > 0:
            step = state.step_def
        else:
            found = step_for(policy, tick)
            if found is None:
                self.records.finish(incident.id, state.round, "the policy has no more steps")
                return self._end(state, "the policy has no more steps")
            tick, step = found
        users = self._targets(step, self.clock.now())
        rules = {u: directory.people[u].rules if u in directory.people else () for u in users}
        pages = [
            self._page_of(incident, tick, directory.people.get(user), user, channel)
            for user in users
            for channel in due_channels(step, rules[user], tick.at_minute)
        ]
        # The first tick of a round has no token yet: derive it, so a retried first tick may claim again.
        token = state.token or f"{incident.id}:{state.round}:start"
        try:
            self._page_all(incident, state.round, tick, token, pages)
        except Conflict:
            return self._end(state, "acknowledged, resolved or already paged")
        if not users and tick.at_minute == 0:
            self._note(incident, "escalation gap", f"Step {tick.step + 1} paged nobody: no one is on call")
        following = next_tick(policy, step, tick, rules)
        if following.tick is None:
            self._note(
                incident, "escalation finished", "Every step of the policy has paged; nobody acknowledged"
            )
            self.records.finish(incident.id, state.round, "policy exhausted")
            return self._end(state, "policy exhausted")
        same_step = following.tick.step == tick.step and following.tick.loop == tick.loop
        return EscalationState(
            incident_id=incident.id,
            round=state.round,
            loop=following.tick.loop,
            step=following.tick.step,
            at_minute=following.tick.at_minute,
            step_def=step if same_step else None,
            token=self.ids.new_id(),
            wait_seconds=scaled_wait_seconds(following.wait_minutes, incident.drill_time_scale),
        )

    def _tell_low_urgency(
        self,
        state: EscalationState,
        incident: Incident,
        policy: EscalationPolicy,
        directory: PoliciesAndPeople,
    ) -> EscalationState:
        """Low urgency never escalates: the first step's people are told once, by the policy's
        low-urgency channels (none: nobody is told), under the same claim and reservations as a page."""
        if incident.muted_urgency is not None:
            return self._end(state, "muted: it pages nobody until released")
        if not policy.low_urgency_channels:
            return self._end(state, "low urgency: the policy tells nobody")
        pages = [
            self._page_of(incident, Tick(), directory.people.get(user), user, channel)
            for user in self._targets(policy.steps[0], self.clock.now())
            for channel in policy.low_urgency_channels
        ]
        token = state.token or f"{incident.id}:{state.round}:start"
        try:
            self._page_all(incident, state.round, Tick(), token, pages)
        except Conflict:
            return self._end(state, "acknowledged, resolved or already told")
        self.records.finish(incident.id, state.round, "low urgency: told once")
        return self._end(state, "low urgency: told once, no escalation")

    def _ack_timer(self, state: EscalationState, incident: Incident) -> EscalationState:
        """First call: wait the policy's acknowledgement timeout. Second: re-trigger if still acknowledged."""
        policy = policy_of(incident, self.directory())
        timeout = policy.ack_timeout_minutes if policy else None
        if timeout is None:
            return self._end(state, "the policy has no acknowledgement timeout")
        if state.token is None:
            return state.model_copy(update={"token": self.ids.new_id(), "wait_seconds": timeout * 60})
        if incident.status is IncidentStatus.TRIGGERED and incident.escalation_round == state.round + 1:
            # Our own earlier attempt re-triggered it and died after the write, whose event left with it.
            # (While acknowledged nothing else can start round + 1: escalate-now and reassign need it
            # triggered.)
            return self._end(state, "acknowledgement timed out: triggered again")
        still = (
            incident.status is IncidentStatus.ACKNOWLEDGED
            and incident.escalation_round == state.round
            and incident.acknowledged_at is not None
            and incident.acknowledged_at.isoformat() == state.acknowledged_at
        )
        if not still:
            return self._end(state, "resolved, or acknowledged again, before the timeout")
        again = retrigger(
            self.incidents, incident, timeout_minutes=timeout, now=self.clock.now(), actor="system:escalation"
        )
        if again is None:
            return self._end(state, "the incident changed before the timeout fired")
        return self._end(state, "acknowledgement timed out: triggered again")

    def _targets(self, step: Step, now: datetime) -> list[str]:
        return step_users(step, now, self.on_call)

    def _page_of(
        self, incident: Incident, tick: Tick, person: Person | None, user: str, channel: Channel
    ) -> Page:
        address = person.contacts.get(channel) if person else None
        return Page(
            incident_id=incident.id,
            incident_number=incident.number,
            title=incident.title,
            service=incident.service,
            priority=incident.priority,
            user=user,
            user_name=person.name if person else user,
            channel=channel,
            address=address or "",
            step=tick.step,
            loop=tick.loop,
            drill=incident.drill,
            ack_url=self.ack_url(incident, user),
            runbook_url=incident.runbook.url if incident.runbook else None,
        )

    def _page_all(self, incident: Incident, round_: int, tick: Tick, token: str, pages: list[Page]) -> None:
        """Claim the tick (Conflict: not ours to page), then send its pages in order, each only once
        reserved. A page's reservation is written with the claim (the first page) or with the result of
        the page before it, so each page is still reserved right before its send. A page due twice is
        sent once (`pages.distinct`): one write cannot hold two operations on its record."""
        pages = distinct(pages)
        reserved = self.records.claim(incident.id, round_, tick, token, self._to_reserve(pages, 0, token))
        for at, page in enumerate(pages):
            if not reserved:
                log.info("page %s sent, in flight, or no longer due; not sending", page.idempotency_key)
                following = self._to_reserve(pages, at + 1, token)
                reserved = following is not None and self.records.reserve(
                    round_, following.page, token, following.now
                )
                continue
            status, provider_id, error = self._send(page)
            notification = Notification(
                incident_id=incident.id,
                step=tick.step,
                loop=tick.loop,
                user=page.user,
                channel=page.channel,
                to=page.address,
                sent_at=self.clock.now(),
                status=status,
                provider_message_id=provider_id,
                error=error,
                drill=incident.drill,
            )
            told = self._told(incident, page, notification)
            # The next page's lease counts from now, after this page's send and its retries.
            reserved = self.records.record(
                round_, page, notification, told, self._to_reserve(pages, at + 1, token)
            )

    def _to_reserve(self, pages: list[Page], at: int, token: str) -> ToReserve | None:
        return ToReserve(pages[at], token, self.clock.now()) if at < len(pages) else None

    def _told(self, incident: Incident, page: Page, notification: Notification) -> TimelineEntry | None:
        """The timeline's entry for a page's result, recorded with it (none for a page not sent)."""
        line = result_line(page, notification)
        return None if line is None else self._entry(incident, *line, notification)

    def _send(self, page: Page) -> tuple[DeliveryStatus, str | None, str | None]:
        """Send with retries: (status, provider message id, error). The first attempt follows the
        reservation, whose transaction has just found the incident triggered: a read there would look
        again a moment later, a round trip on every page. Each retry follows a backoff, so it reads the
        incident again first, and an acknowledgement that landed meanwhile stops the page (SKIPPED). An
        acknowledgement through IncidentService is answered only once no page is in flight (its settle
        wait, up to SETTLE_WAIT_SECONDS), so no provider call begins after it is answered either way."""
        if not page.address:
            return DeliveryStatus.FAILED, None, f"{page.user} has no {page.channel.value} contact method"
        error = None
        for attempt in range(SEND_ATTEMPTS):
            if attempt > 0:
                current = self.incidents.status(page.incident_id)
                if current is not IncidentStatus.TRIGGERED:
                    state = current.value if current is not None else "gone"
                    return DeliveryStatus.SKIPPED, None, f"not sent: the incident is {state}"
            try:
                return DeliveryStatus.SENT, self.notifier.send(page), None
            except DeliveryFailed as exc:
                error = str(exc) or type(exc).__name__
                if attempt + 1 < SEND_ATTEMPTS:
                    self.sleep(SEND_BACKOFF_SECONDS * 2**attempt)
        return DeliveryStatus.FAILED, None, error

    def _note(self, incident: Incident, kind: str, message: str) -> None:
        self.timeline.add(self._entry(incident, kind, message))

    def _entry(
        self, incident: Incident, kind: str, message: str, notification: Notification | None = None
    ) -> TimelineEntry:
        data = {"notification": notification.model_dump(mode="json")} if notification else {}
        return TimelineEntry(
            subject=incident.id,
            at=self.clock.now(),
            kind=kind,
            actor="system:escalation",
            message=message,
            data=data,
        )

    @staticmethod
    def _end(state: EscalationState, reason: str) -> EscalationState:
        return state.model_copy(update={"done": True, "reason": reason, "wait_seconds": 0})

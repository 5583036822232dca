"""Sends at least once, never twice, never after an acknowledgement (issue 13 §3, §7), on DynamoDB.

The reservation of a page is one transaction that checks the incident is still triggered; a reservation
left "sending" by a crashed attempt is taken over by the same tick's retry or, after its lease, by anyone;
the reservation is a first attempt's last look at the incident, a status read each retry's, and an
acknowledgement is answered only once no page is in flight. The race test acknowledges at the instant a
step fires, a hundred times, and checks no provider call began after the acknowledgement was answered;
the preemption tests make the worst interleaving happen every time, after either kind of last look.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from klaxon.domain.paging.pages import SEND_LEASE, DeliveryFailed, Page
from klaxon.services.paging.escalation import EscalationState
from tests.fakes.memory import page_to_alice, sent
from tests.integration.test_ack_paths import open_incident

ROUND = 0


@pytest.fixture
def records(platform):
    from klaxon import wiring

    return wiring.container().notification_records


def test_a_reservation_needs_the_incident_triggered(platform, http, records):
    incident = open_incident()
    assert http.post(f"/v1/incidents/{incident.id}/acknowledge").status_code == 200
    assert not records.reserve(ROUND, page_to_alice(incident), "run-1", datetime.now(UTC))


def test_a_crashed_reservation_is_retaken_by_its_tick_or_after_its_lease(platform, records):
    incident = open_incident()
    page, now = page_to_alice(incident), datetime.now(UTC)
    assert records.reserve(ROUND, page, "run-1", now)

    assert records.reserve(ROUND, page, "run-1", now)  # the same tick retried: the first attempt is dead
    assert not records.reserve(ROUND, page, "run-2", now)  # another run while the lease holds
    assert records.reserve(ROUND, page, "run-2", now + SEND_LEASE)


def test_a_recorded_send_is_never_reserved_again(platform, records):
    incident = open_incident()
    page, now = page_to_alice(incident), datetime.now(UTC)
    assert records.reserve(ROUND, page, "run-1", now)
    records.record(ROUND, page, sent(page, now))
    assert not records.reserve(ROUND, page, "run-1", now + SEND_LEASE)


def test_a_pages_result_and_its_timeline_line_are_one_write(platform, records):
    """A task dying between the two left a sent page its timeline never showed: the retry finds the page
    recorded and does not tell the timeline again."""
    from klaxon import wiring
    from klaxon.adapters.tables import connection
    from klaxon.domain.incident.models import TimelineEntry

    incident = open_incident()
    page, now = page_to_alice(incident), datetime.now(UTC)
    line = TimelineEntry(subject=incident.id, at=now, kind="notified", actor="system:escalation", message="m")
    assert records.reserve(ROUND, page, "run-1", now)
    requests: list[tuple[str, list[str]]] = []

    def ask(params: dict, model: object, **_: object) -> None:
        tables = [next(iter(i.values()))["TableName"] for i in params.get("TransactItems", [])]
        requests.append((model.name, sorted(t.rsplit("-", 1)[-1] for t in tables)))  # type: ignore[attr-defined]

    events = connection().client.meta.events
    events.register("provide-client-params.dynamodb", ask)
    try:
        records.record(ROUND, page, sent(page, now), line)
    finally:
        events.unregister("provide-client-params.dynamodb", ask)

    assert requests == [("TransactWriteItems", ["notifications", "timeline"])]
    assert [n.status.value for n in records.list(incident.id)] == ["sent"]
    timeline = wiring.container().timeline_repository.list(incident.id)
    assert [(e.kind, e.message) for e in timeline if e.actor == "system:escalation"] == [("notified", "m")]


@dataclasses.dataclass
class TimedNotifier:
    """Records when each provider call began (monotonic seconds)."""

    began: list[float] = dataclasses.field(default_factory=list)

    def send(self, page: Page) -> str:
        self.began.append(time.monotonic())
        return f"m-{len(self.began)}"


def _race(escalation, incidents, notifier: TimedNotifier) -> tuple[bool, list[float]]:
    """One trial: a step's tick and an acknowledgement released at once. (Paged at all, provider calls
    that began after the acknowledgement was answered.)"""
    incident = open_incident()
    start, answered = threading.Barrier(2), []

    def tick() -> None:
        start.wait()
        escalation.run(EscalationState(incident_id=incident.id))

    def ack() -> None:
        start.wait()
        incidents.acknowledge(incident.id, "user:alice")
        answered.append(time.monotonic())

    before = len(notifier.began)
    threads = [threading.Thread(target=tick), threading.Thread(target=ack)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    began = notifier.began[before:]
    return bool(began), [t for t in began if t > answered[0]]


def test_an_ack_at_the_instant_a_step_fires_is_never_followed_by_a_page(platform):
    from klaxon import wiring

    container = wiring.container()
    notifier = TimedNotifier()
    escalation = dataclasses.replace(container.escalation_service, notifier=notifier, sleep=lambda _: None)
    trials = [_race(escalation, container.incident_service, notifier) for _ in range(100)]

    assert [late for _, late in trials if late] == []
    paged = [p for p, _ in trials]
    assert any(paged) and not all(paged)  # the race was real: the step won some trials, the ack others


@dataclasses.dataclass
class Preempter:
    """Preempts a tick once, right after its last look before a provider call: the acknowledgement runs (in
    another thread) for `pause` seconds, then the tick goes on with what it saw."""

    acknowledge: Callable[[], None]
    pause: float = 0.3
    acker: threading.Thread | None = None

    def preempt(self) -> None:
        if self.acker is None:
            self.acker = threading.Thread(target=self.acknowledge)
            self.acker.start()
            self.acker.join(self.pause)


@dataclasses.dataclass
class AfterReservation:
    """The page records, preempted once a page is reserved (with the tick's claim, with the result of the
    page before, or alone): the first attempt's last look."""

    records: object
    preempter: Preempter

    def claim(self, *args):
        return self._preempted(self.records.claim(*args))

    def reserve(self, *args):
        return self._preempted(self.records.reserve(*args))

    def record(self, *args):
        return self._preempted(self.records.record(*args))

    def _preempted(self, reserved: bool) -> bool:
        if reserved:
            self.preempter.preempt()
        return reserved

    def __getattr__(self, name: str):
        return getattr(self.records, name)


@dataclasses.dataclass
class AfterStatusRead:
    """The escalation's incidents, preempted after a status read: a retry's last look."""

    incidents: object
    preempter: Preempter

    def status(self, incident_id: str):
        seen = self.incidents.status(incident_id)
        self.preempter.preempt()
        return seen

    def __getattr__(self, name: str):
        return getattr(self.incidents, name)


@dataclasses.dataclass
class FailingFirst(TimedNotifier):
    """Refuses the first call (a provider error), so the page's next attempt is a retry."""

    def send(self, page: Page) -> str:
        if not self.began:
            self.began.append(time.monotonic())
            raise DeliveryFailed("provider refused the message")
        return super().send(page)


@pytest.mark.parametrize("last_look", ["reservation", "retry"])
def test_a_page_past_its_last_look_begins_before_the_acknowledgement_is_answered(platform, last_look):
    from klaxon import wiring

    container = wiring.container()
    incident, answered = open_incident(), []

    def acknowledge() -> None:
        container.incident_service.acknowledge(incident.id, "user:alice")
        answered.append(time.monotonic())

    preempter = Preempter(acknowledge)
    escalation = dataclasses.replace(container.escalation_service, sleep=lambda _: None)
    if last_look == "reservation":
        escalation.notifier = notifier = TimedNotifier()
        escalation.records = AfterReservation(container.notification_records, preempter)
    else:
        escalation.notifier = notifier = FailingFirst()
        escalation.incidents = AfterStatusRead(container.escalation_service.incidents, preempter)
    escalation.run(EscalationState(incident_id=incident.id))
    assert preempter.acker is not None
    preempter.acker.join(30)

    assert len(answered) == 1 and len(notifier.began) == (1 if last_look == "reservation" else 2)
    assert all(began < answered[0] for began in notifier.began)
    sent = [
        n.channel.value for n in container.notification_records.list(incident.id) if n.status.value == "sent"
    ]
    assert sent == ["push"]

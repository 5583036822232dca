"""Escalation ticks over fakes: who is paged when, never after an ack, never twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from klaxon.domain.incident.models import AlertAction, Link, Severity, Urgency
from klaxon.domain.paging.escalation import Rule
from klaxon.domain.paging.pages import DeliveryStatus
from klaxon.domain.paging.policy import Channel, EscalationPolicy, Step, Target
from klaxon.events import DetailType
from klaxon.services.incident.incidents import IncidentService
from klaxon.services.paging.escalation import EscalationService, EscalationState
from klaxon.services.paging.policies import Person, PoliciesAndPeople
from tests.fakes.memory import MemoryNotifications, RecordingNotifier, page_to_alice
from tests.unit.test_router_service import alert, world  # noqa: F401 - fixture

PUSH, SMS, VOICE, EMAIL = Channel.PUSH, Channel.SMS, Channel.VOICE, Channel.EMAIL
RULES = (
    Rule(channel=PUSH, delay_minutes=0),
    Rule(channel=SMS, delay_minutes=1),
    Rule(channel=VOICE, delay_minutes=5),
)


def person(user: str, channels=(PUSH, SMS, VOICE, EMAIL)) -> Person:
    return Person(
        id=user, name=user.title(), contacts={c: f"{c.value}:{user}" for c in channels}, rules=RULES
    )


DEFAULT = EscalationPolicy(
    id="default",
    steps=[
        Step(targets=[Target(schedule="primary")], delay_minutes=5, channels=[PUSH, SMS]),
        Step(targets=[Target(schedule="secondary")], delay_minutes=5, channels=[PUSH, SMS]),
        Step(
            targets=[Target(schedule="primary"), Target(schedule="secondary")],
            delay_minutes=5,
            channels=[VOICE],
        ),
        Step(targets=[Target(user="frank")], delay_minutes=15),
        Step(targets=[Target(user="grace")], delay_minutes=0),
    ],
)
ON_CALL = {"primary": ["alice"], "secondary": ["dave"]}


@pytest.fixture
def escalation(world):  # noqa: F811
    router, incidents, _, clock = world
    records = MemoryNotifications(incidents)
    notifier = RecordingNotifier()
    directory = PoliciesAndPeople(
        policies={"default": DEFAULT},
        service_policy={"checkout": "default"},
        people={u: person(u) for u in ["alice", "dave", "frank", "grace"]},
    )
    service = EscalationService(
        incidents=incidents,
        records=records,
        timeline=incidents.timeline,
        directory=lambda: directory,
        on_call=lambda schedule, at: ON_CALL.get(schedule, []),
        notifier=notifier,
        clock=clock,
        ids=router.ids,
        sleep=lambda _: None,
    )
    return service, router, notifier, records, clock


def run_to_end(service: EscalationService, incident_id: str, clock) -> list[tuple[int, str, str]]:
    """Drive the state machine's loop: (minute, user, channel) of every page sent."""
    state, minute, seen = EscalationState(incident_id=incident_id), 0, []
    before = len(service.notifier.sent)
    while not state.done:
        state = service.run(state)
        minute += state.wait_seconds // 60
        clock.advance(seconds=state.wait_seconds)
    for page in service.notifier.sent[before:]:
        seen.append((page.step, page.user, page.channel.value))
    return seen


def test_the_default_policy_pages_everyone_in_order(escalation):
    service, router, _notifier, _, clock = escalation
    incident = router.route(alert()).incident
    pages = run_to_end(service, incident.id, clock)
    assert pages == [
        (0, "alice", "push"),
        (0, "alice", "sms"),
        (1, "dave", "push"),
        (1, "dave", "sms"),
        (2, "alice", "voice"),
        (2, "dave", "voice"),
        (3, "frank", "push"),
        (3, "frank", "sms"),
        (3, "frank", "voice"),
        (4, "grace", "push"),
        (4, "grace", "sms"),
        (4, "grace", "voice"),
    ]


def test_waits_between_steps_follow_the_policy(escalation):
    service, router, _, _, _clock = escalation
    incident = router.route(alert()).incident
    state, waits = EscalationState(incident_id=incident.id), []
    while not state.done:
        state = service.run(state)
        waits.append(state.wait_seconds // 60)
    assert waits == [5, 5, 5, 1, 4, 10, 1, 4, 0]


def test_an_acknowledged_incident_pages_nobody_at_the_next_tick(escalation, world):  # noqa: F811
    service, router, notifier, _, clock = escalation
    incident = router.route(alert()).incident
    state = service.run(EscalationState(incident_id=incident.id))
    IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock).acknowledge(
        incident.id, "user:alice"
    )
    after = service.run(state)
    assert after.done and after.reason == "incident is acknowledged"
    assert [p.step for p in notifier.sent] == [0, 0]


def test_a_retried_tick_never_pages_twice(escalation):
    service, router, notifier, _, _ = escalation
    incident = router.route(alert()).incident
    first = EscalationState(incident_id=incident.id, token="tick-1")
    service.run(first)
    service.run(first)  # the same input again: Step Functions retrying the task
    assert [(p.user, p.channel.value) for p in notifier.sent] == [("alice", "push"), ("alice", "sms")]


def test_ack_racing_a_step_either_pages_before_the_ack_or_not_at_all(escalation, world):  # noqa: F811
    service, router, notifier, _, clock = escalation
    incidents = IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock)
    for attempt in range(30):
        incident = router.route(alert(key=f"race-{attempt}")).incident
        before = len(notifier.sent)
        barrier = threading.Barrier(2)

        def ack(incident_id=incident.id, barrier=barrier):
            barrier.wait()
            incidents.acknowledge(incident_id, "user:alice")

        def tick(incident_id=incident.id, barrier=barrier):
            barrier.wait()
            service.run(EscalationState(incident_id=incident_id))

        threads = [threading.Thread(target=ack), threading.Thread(target=tick)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(notifier.sent) - before in (0, 2)  # the whole step or nothing, never half
        assert service.run(EscalationState(incident_id=incident.id, step=1)).done


def test_two_acks_at_once_record_one_acknowledgement(escalation, world):  # noqa: F811
    _, router, _, _, clock = escalation
    incidents = IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock)
    incident = router.route(alert()).incident
    barrier = threading.Barrier(2)
    results = []

    def ack(user: str) -> None:
        barrier.wait()
        results.append(incidents.acknowledge(incident.id, f"user:{user}").acknowledged_by)

    threads = [threading.Thread(target=ack, args=(u,)) for u in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0] == results[1]
    assert [e.kind for e in world[1].timeline.list(incident.id)].count("acknowledged") == 1


def test_resolve_during_a_wait_ends_escalation(escalation):
    service, router, notifier, _, _ = escalation
    incident = router.route(alert()).incident
    state = service.run(EscalationState(incident_id=incident.id))
    router.route(alert(AlertAction.RESOLVE))
    assert service.run(state).reason == "incident is resolved"
    assert len(notifier.sent) == 2


def test_a_policy_changed_mid_incident_applies_from_the_next_step(escalation):
    service, router, notifier, _, _clock = escalation
    incident = router.route(alert()).incident
    state = service.run(EscalationState(incident_id=incident.id))  # step 0 with the old policy
    changed = DEFAULT.model_copy(
        update={
            "steps": [
                DEFAULT.steps[0],
                Step(targets=[Target(user="grace")], delay_minutes=5, channels=[EMAIL]),
            ]
        }
    )
    directory = service.directory()
    service.directory = lambda: PoliciesAndPeople(
        policies={"default": changed}, service_policy=directory.service_policy, people=directory.people
    )
    service.run(state)
    assert [(p.user, p.channel.value) for p in notifier.sent[2:]] == [("grace", "email")]


def test_a_step_that_finds_nobody_on_call_is_recorded_as_a_gap(escalation, world):  # noqa: F811
    service, router, notifier, _, _ = escalation
    ON_CALL["primary"] = []
    try:
        incident = router.route(alert()).incident
        service.run(EscalationState(incident_id=incident.id))
    finally:
        ON_CALL["primary"] = ["alice"]
    assert notifier.sent == []
    assert "escalation gap" in [e.kind for e in world[1].timeline.list(incident.id)]


def test_a_failing_contact_method_is_retried_then_recorded_and_the_policy_goes_on(escalation, world):  # noqa: F811
    service, router, notifier, records, _ = escalation
    notifier.failing = frozenset({"sms"})
    incident = router.route(alert()).incident
    state = service.run(EscalationState(incident_id=incident.id))
    statuses = {(n.channel.value, n.status) for n in records.list(incident.id)}
    assert statuses == {("push", DeliveryStatus.SENT), ("sms", DeliveryStatus.FAILED)}
    assert "notification failed" in [e.kind for e in world[1].timeline.list(incident.id)]
    assert not state.done and state.step == 1


def test_a_user_without_the_channel_is_recorded_as_failed(escalation):
    service, router, _, records, _ = escalation
    directory = service.directory()
    people = {**directory.people, "alice": person("alice", channels=(PUSH,))}
    service.directory = lambda: PoliciesAndPeople(
        policies=directory.policies, service_policy=directory.service_policy, people=people
    )
    incident = router.route(alert()).incident
    service.run(EscalationState(incident_id=incident.id))
    failed = [n for n in records.list(incident.id) if n.status is DeliveryStatus.FAILED]
    assert [(n.channel.value, n.error) for n in failed] == [("sms", "alice has no sms contact method")]


def test_drills_are_marked_on_every_page(escalation):
    service, router, notifier, _, _ = escalation
    incident = router.route(alert(drill=True, escalation_policy="default")).incident
    service.run(EscalationState(incident_id=incident.id))
    assert notifier.sent and all(p.drill for p in notifier.sent)


def test_every_page_carries_the_incidents_runbook(escalation):
    service, router, notifier, _, _ = escalation
    own = [Link(href="https://runbooks.example/disk-full", text="runbook")]
    incident = router.route(alert(links=own)).incident
    service.run(EscalationState(incident_id=incident.id))
    assert notifier.sent and {p.runbook_url for p in notifier.sent} == {"https://runbooks.example/disk-full"}


def with_policy(service: EscalationService, **changes: object) -> None:
    """Change the demo's default policy, as if the config had been edited."""
    directory = service.directory()
    changed = directory.policies["default"].model_copy(update=changes)
    service.directory = lambda: PoliciesAndPeople(
        policies={"default": changed}, service_policy=directory.service_policy, people=directory.people
    )


def with_ack_timeout(service: EscalationService, minutes: int) -> None:
    """Give the demo's default policy an acknowledgement timeout."""
    with_policy(service, ack_timeout_minutes=minutes)


@pytest.fixture
def control(escalation, world):  # noqa: F811
    from klaxon.services.paging.control import EscalationControl

    service, _router, _, records, clock = escalation
    return EscalationControl(incidents=world[1], records=records, directory=service.directory, clock=clock)


def test_escalate_now_restarts_at_the_next_step(escalation, control, world):  # noqa: F811
    service, router, notifier, _, _ = escalation
    incident = router.route(alert()).incident
    service.run(EscalationState(incident_id=incident.id))
    again = control.escalate_now(incident.id, "user:alice")
    assert (again.escalation_round, again.escalation_from_step) == (1, 1)
    service.run(EscalationState(incident_id=incident.id, round=1))
    assert [(p.step, p.user) for p in notifier.sent[2:]] == [(1, "dave"), (1, "dave")]


def test_the_old_round_pages_nobody_after_a_restart(escalation, control):
    service, router, notifier, _, _ = escalation
    incident = router.route(alert()).incident
    state = service.run(EscalationState(incident_id=incident.id))
    control.escalate_now(incident.id, "user:alice")
    assert service.run(state).reason == "escalation was restarted"
    assert len(notifier.sent) == 2


def test_reassigning_to_a_user_pages_them_by_their_own_rules(escalation, control):
    service, router, notifier, _, _ = escalation
    incident = router.route(alert()).incident
    control.reassign(incident.id, user="grace", policy=None, actor="user:alice")
    service.run(EscalationState(incident_id=incident.id, round=1))
    assert [(p.user, p.channel.value) for p in notifier.sent] == [("grace", "push")]


def test_reassigning_to_an_unknown_user_is_not_found(escalation, control):
    from klaxon.domain.errors import NotFound

    _, router, *_ = escalation
    incident = router.route(alert()).incident
    with pytest.raises(NotFound):
        control.reassign(incident.id, user="nobody", policy=None, actor="user:alice")


def test_an_acknowledgement_timeout_triggers_the_incident_again(escalation, world):  # noqa: F811
    service, router, _notifier, _, clock = escalation
    with_ack_timeout(service, minutes=30)
    incident = router.route(alert()).incident
    acked = IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock).acknowledge(
        incident.id, "user:alice"
    )
    timer = EscalationState(
        incident_id=incident.id, ack_timer=True, acknowledged_at=acked.acknowledged_at.isoformat()
    )
    waiting = service.run(timer)
    assert waiting.wait_seconds == 30 * 60 and not waiting.done
    assert service.run(waiting).reason == "acknowledgement timed out: triggered again"
    again = world[1].get(incident.id)
    assert (again.status.value, again.escalation_round) == ("triggered", 1)
    assert world[2].types()[-1].value == "Incident Triggered"


def test_an_ack_timer_does_nothing_once_the_incident_is_resolved(escalation, world):  # noqa: F811
    service, router, _, _, clock = escalation
    with_ack_timeout(service, minutes=30)
    incident = router.route(alert()).incident
    incidents = IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock)
    acked = incidents.acknowledge(incident.id, "user:alice")
    waiting = service.run(
        EscalationState(
            incident_id=incident.id, ack_timer=True, acknowledged_at=acked.acknowledged_at.isoformat()
        )
    )
    incidents.resolve(incident.id, "user:alice")
    assert service.run(waiting).reason == "resolved, or acknowledged again, before the timeout"


def test_a_first_tick_that_crashed_mid_send_pages_everyone_once_when_retried(escalation):
    service, router, notifier, _, _ = escalation
    incident = router.route(alert()).incident
    crash = {"left": 1}
    real_send = notifier.send

    def send_once_crashing(page):
        if crash["left"]:
            crash["left"] -= 1
            raise RuntimeError("Lambda timed out")  # not a delivery failure: the whole task fails
        return real_send(page)

    notifier.send = send_once_crashing
    with pytest.raises(RuntimeError):
        service.run(EscalationState(incident_id=incident.id))
    retried = service.run(EscalationState(incident_id=incident.id))  # Step Functions retries the same input
    assert not retried.done
    # The push the crash interrupted was reserved, never sent: the retry (same claim token) sends it.
    assert sorted((p.user, p.channel.value) for p in notifier.sent) == [("alice", "push"), ("alice", "sms")]


def test_an_ack_timeout_task_dying_after_its_write_still_publishes_the_trigger_once(escalation, world):  # noqa: F811
    """The re-trigger's event is written with it (the outbox): a task killed right after the write has
    published it, and its retry changes nothing and publishes nothing more."""
    service, router, _, _, clock = escalation
    with_ack_timeout(service, minutes=30)
    incident = router.route(alert()).incident
    acked = IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock).acknowledge(
        incident.id, "user:alice"
    )
    waiting = service.run(
        EscalationState(
            incident_id=incident.id, ack_timer=True, acknowledged_at=acked.acknowledged_at.isoformat()
        )
    )
    real = world[1].restart_escalation

    def write_then_die(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the task died after its write")

    world[1].restart_escalation = write_then_die
    with pytest.raises(RuntimeError):
        service.run(waiting)
    world[1].restart_escalation = real
    assert service.run(waiting).reason == "acknowledgement timed out: triggered again"
    assert world[2].types()[-2:] == [DetailType.INCIDENT_ACKNOWLEDGED, DetailType.INCIDENT_TRIGGERED]


# --- sends are at least once, never twice, never after an ack (issue 13 §3, §7) ---------------------


def _crash_at(service: EscalationService, where: str):
    """Make the first call at `where` ("provider" or "after-record") fail as a crashed task would."""
    crash = {"left": 1}
    if where == "provider":
        real_send = service.notifier.send

        def send(page):
            if crash["left"]:
                crash["left"] -= 1
                raise RuntimeError("the function died mid-send")
            return real_send(page)

        service.notifier.send = send
        return
    real_record = service.records.record

    def record(round_, page, notification, entry=None, then=None):
        reserved = real_record(round_, page, notification, entry, then)  # and the next page reserved
        if crash["left"]:
            crash["left"] -= 1
            raise RuntimeError("the function died after recording the send")
        return reserved

    service.records.record = record


@pytest.mark.parametrize("where", ["provider", "after-record"])
def test_a_page_is_delivered_exactly_once_whatever_point_the_tick_crashed_at(escalation, where):
    service, router, notifier, records, _ = escalation
    incident = router.route(alert()).incident
    _crash_at(service, where)

    with pytest.raises(RuntimeError):
        service.run(EscalationState(incident_id=incident.id))
    service.run(EscalationState(incident_id=incident.id))  # the task's retry: same input, same token

    sent = sorted((p.user, p.channel.value) for p in notifier.sent)
    assert sent == [("alice", "push"), ("alice", "sms")]
    assert sorted(n.status.value for n in records.list(incident.id)) == ["sent", "sent"]
    told = [e.message for e in records.incidents.timeline.list(incident.id) if e.kind == "notified"]
    assert sorted(told) == ["Paged Alice by push (push:alice)", "Paged Alice by sms (sms:alice)"]


def test_another_run_takes_over_a_reservation_only_once_its_lease_expired(escalation):
    from klaxon.domain.paging.pages import SEND_LEASE

    _, router, _, records, clock = escalation
    incident = router.route(alert()).incident
    page = page_to_alice(incident)
    assert records.reserve(0, page, "crashed-run", clock.now())

    assert not records.reserve(0, page, "other-run", clock.now() + SEND_LEASE - timedelta(seconds=1))
    assert records.reserve(0, page, "other-run", clock.now() + SEND_LEASE)


def test_a_page_sent_or_failed_is_never_reserved_again(escalation):
    service, router, _, records, clock = escalation
    incident = router.route(alert()).incident
    service.run(EscalationState(incident_id=incident.id))
    page = page_to_alice(incident)

    assert not records.reserve(0, page, f"{incident.id}:0:start", clock.now() + timedelta(hours=1))


def test_the_reservation_is_the_first_attempts_last_look(escalation):
    """The reservation's transaction has just found the incident triggered: a first attempt reads nothing
    more before its provider call (a round trip on every page, issue 14)."""
    service, router, notifier, _, _ = escalation
    incident = router.route(alert()).incident
    reads: list[str] = []
    real_status = service.incidents.status
    service.incidents.status = lambda incident_id: reads.append(incident_id) or real_status(incident_id)

    service.run(EscalationState(incident_id=incident.id))

    assert [(p.user, p.channel) for p in notifier.sent] == [("alice", PUSH), ("alice", SMS)]
    assert reads == []


def test_a_channel_named_twice_pages_once(escalation):
    """The same page twice in a tick is one page: its result and a second reservation of it cannot share
    a write (DynamoDB refuses two operations on one item), and it is never sent twice."""
    service, router, notifier, records, _ = escalation
    twice = Step(targets=[Target(user="alice")], delay_minutes=5, channels=[SMS, SMS, PUSH])
    with_policy(service, steps=[twice])
    incident = router.route(alert()).incident

    service.run(EscalationState(incident_id=incident.id))

    assert [(p.user, p.channel) for p in notifier.sent] == [("alice", SMS), ("alice", PUSH)]
    assert sorted(n.channel.value for n in records.list(incident.id)) == ["push", "sms"]


def test_an_ack_before_a_retry_pages_nobody(escalation, world):  # noqa: F811
    """An attempt that failed waits out its backoff, then reads the incident again: an acknowledgement
    that landed meanwhile stops the page, recorded as skipped."""
    service, router, notifier, records, clock = escalation
    notifier.failing = frozenset({"push"})
    incident = router.route(alert()).incident
    acks = IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock)
    service.sleep = lambda _: acks.acknowledge(incident.id, "user:alice")  # the ack lands in the backoff

    service.run(EscalationState(incident_id=incident.id))

    assert notifier.sent == []
    assert [(n.channel.value, n.status.value, n.error) for n in records.list(incident.id)] == [
        ("push", "skipped", "not sent: the incident is acknowledged")
    ]


def test_no_reservation_is_made_once_the_incident_is_acknowledged(escalation, world):  # noqa: F811
    _, router, _, records, clock = escalation
    incident = router.route(alert()).incident
    IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock).acknowledge(
        incident.id, "user:alice"
    )
    assert not records.reserve(0, page_to_alice(incident), "any", clock.now())


# --- low urgency: told once by the policy's low-urgency channels, never escalated (issue 13 §4) ------


def _with_low_urgency_channels(service: EscalationService, channels: list[Channel]) -> None:
    with_policy(service, low_urgency_channels=channels)


def test_a_low_urgency_incident_is_told_once_by_its_low_urgency_channels(escalation):
    service, router, notifier, records, _ = escalation
    _with_low_urgency_channels(service, [EMAIL])
    incident = router.route(alert(severity=Severity.WARNING)).incident

    state = service.run(EscalationState(incident_id=incident.id))

    assert (state.done, state.reason) == (True, "low urgency: told once, no escalation")
    assert [(p.user, p.channel) for p in notifier.sent] == [("alice", EMAIL)]
    assert records.finished(incident.id, 0)


def test_a_low_urgency_incident_whose_policy_names_no_channel_tells_nobody(escalation):
    service, router, notifier, _, _ = escalation
    incident = router.route(alert(severity=Severity.WARNING)).incident

    state = service.run(EscalationState(incident_id=incident.id))

    assert state.reason == "low urgency: the policy tells nobody"
    assert notifier.sent == []


def test_a_muted_incident_tells_nobody_even_with_low_urgency_channels(escalation, world):  # noqa: F811
    service, router, notifier, _, _ = escalation
    _with_low_urgency_channels(service, [EMAIL])
    incident = router.route(alert()).incident
    world[1].items[incident.id] = incident.model_copy(
        update={"urgency": Urgency.LOW, "muted_urgency": Urgency.HIGH, "maintenance_window": "w"}
    )

    state = service.run(EscalationState(incident_id=incident.id))

    assert state.reason == "muted: it pages nobody until released"
    assert notifier.sent == []


def test_a_low_urgency_incident_triggered_again_after_an_ack_timeout_is_told_again(escalation, world):  # noqa: F811
    service, router, notifier, _, clock = escalation
    _with_low_urgency_channels(service, [EMAIL])
    with_ack_timeout(service, minutes=30)
    incident = router.route(alert(severity=Severity.WARNING)).incident
    service.run(EscalationState(incident_id=incident.id))
    acked = IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock).acknowledge(
        incident.id, "user:alice"
    )
    timer = EscalationState(
        incident_id=incident.id, ack_timer=True, acknowledged_at=acked.acknowledged_at.isoformat()
    )
    service.run(service.run(timer))  # waits, then triggers again (round 1)

    service.run(EscalationState(incident_id=incident.id, round=1))  # the bus starts round 1

    assert [(p.user, p.channel) for p in notifier.sent] == [("alice", EMAIL), ("alice", EMAIL)]


def test_distinct_pages_keep_the_first_of_each_key_in_order(escalation):
    from klaxon.domain.paging.pages import distinct

    _, router, _, _, _ = escalation
    incident = router.route(alert()).incident
    push, sms = page_to_alice(incident), page_to_alice(incident, SMS)
    assert distinct([sms, push, sms, push]) == [sms, push]
    assert distinct([]) == []

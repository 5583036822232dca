"""The sweeper (issue 13 §4): a triggered incident whose policy pages always has an escalation running;
one that lost it resumes at its last claimed tick, pages what was left unsent, and nothing twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from klaxon.domain.incident.models import IncidentStatus, Urgency
from klaxon.domain.paging.escalation import Tick
from klaxon.domain.paging.sweep import GRACE, Claim, restore
from klaxon.events import DetailType
from klaxon.services.incident.incidents import IncidentService
from klaxon.services.paging.escalation import EscalationService, EscalationState
from klaxon.services.paging.sweeper import EscalationSweeper
from klaxon.topology import execution_name, execution_round, resumed_execution_name
from tests.unit.test_escalation_service import escalation, with_ack_timeout  # noqa: F401 - fixture
from tests.unit.test_router_service import alert, world  # noqa: F401 - fixture


@dataclass
class InlineRunner:
    """Executions as the sweeper sees them: which rounds run, and each resume run at once to its end."""

    escalation: EscalationService
    running_now: set[tuple[str, int]] = field(default_factory=set)
    resumed: list[tuple[str, int, Claim | None]] = field(default_factory=list)

    def running(self) -> set[tuple[str, int]]:
        return set(self.running_now)

    def resume(self, incident_id, round_, claim, now) -> str:
        self.resumed.append((incident_id, round_, claim))
        state = EscalationState(incident_id=incident_id, round=round_)
        if claim is not None:
            tick = claim.tick
            state = state.model_copy(
                update={
                    "loop": tick.loop,
                    "step": tick.step,
                    "at_minute": tick.at_minute,
                    "token": claim.token,
                }
            )
        self.escalation.run(state)  # one tick: enough to see what it pages
        return resumed_execution_name(incident_id, round_, int(now.timestamp()))

    def stop(self, incident_id, round_, cause) -> bool:
        return False

    def start_ack_timer(self, incident_id, round_, acknowledged_at) -> None:
        return None


@pytest.fixture
def sweeper(escalation):  # noqa: F811
    service, router, notifier, records, clock = escalation
    runner = InlineRunner(service)
    sweeper = EscalationSweeper(
        incidents=service.incidents,
        records=records,
        runner=runner,
        directory=service.directory,
        timeline=service.timeline,
        clock=clock,
    )
    return sweeper, runner, service, router, notifier, clock


def test_an_incident_whose_execution_vanished_is_resumed_at_its_first_step(sweeper):
    sweep, runner, _, router, notifier, clock = sweeper
    incident = router.route(alert()).incident  # triggered; its execution never started
    clock.advance(seconds=GRACE.total_seconds())

    assert sweep.sweep() == [incident.id]
    assert runner.resumed == [(incident.id, 0, None)]
    assert sorted((p.user, p.channel.value) for p in notifier.sent) == [("alice", "push"), ("alice", "sms")]
    (entry,) = [e for e in sweep.timeline.list(incident.id) if e.kind == "escalation restored"]
    assert entry.message == "Triggered with no escalation running: resumed at its first step"


def test_a_run_that_died_mid_tick_is_resumed_as_its_own_retry_and_pages_nothing_twice(sweeper):
    sweep, runner, service, router, notifier, clock = sweeper
    incident = router.route(alert()).incident
    state = service.run(EscalationState(incident_id=incident.id))  # step 1 paged; the run then vanished
    clock.advance(minutes=5)

    assert sweep.sweep() == [incident.id]
    (resumed,) = runner.resumed
    assert resumed[2] == Claim(Tick(step=0), f"{incident.id}:0:start")
    assert len(notifier.sent) == 2  # step 1 again as its retry: nothing new to send
    assert state.step == 1


def test_nothing_is_done_while_an_execution_runs_or_inside_the_grace(sweeper):
    sweep, runner, _, router, notifier, clock = sweeper
    incident = router.route(alert()).incident
    assert sweep.sweep() == []  # just triggered: the bus is starting its execution
    clock.advance(minutes=2)
    runner.running_now.add((incident.id, 0))
    assert sweep.sweep() == []
    assert notifier.sent == []


def test_a_round_that_walked_its_whole_policy_is_not_restarted(sweeper):
    sweep, _, _, router, _notifier, clock = sweeper
    incident = router.route(alert()).incident
    sweep.records.finish(incident.id, 0, "policy exhausted")
    clock.advance(minutes=2)
    assert sweep.sweep() == []


def test_acknowledged_and_low_urgency_incidents_are_left_alone(sweeper, world):  # noqa: F811
    sweep, _, _, router, _notifier, clock = sweeper
    acked = router.route(alert(key="a")).incident
    IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock).acknowledge(
        acked.id, "user:alice"
    )
    low = router.route(alert(key="b")).incident
    world[1].items[low.id] = low.model_copy(update={"urgency": Urgency.LOW})
    clock.advance(minutes=2)
    assert sweep.sweep() == []


@pytest.mark.parametrize(
    ("status", "urgency", "pages", "running", "finished", "age", "restored"),
    [
        (IncidentStatus.TRIGGERED, Urgency.HIGH, True, False, False, GRACE, True),
        (IncidentStatus.TRIGGERED, Urgency.HIGH, True, False, False, GRACE - timedelta(seconds=1), False),
        (IncidentStatus.TRIGGERED, Urgency.HIGH, True, True, False, GRACE, False),
        (IncidentStatus.TRIGGERED, Urgency.HIGH, True, False, True, GRACE, False),
        (IncidentStatus.TRIGGERED, Urgency.HIGH, False, False, False, GRACE, False),
        (IncidentStatus.TRIGGERED, Urgency.LOW, True, False, False, GRACE, False),
        (IncidentStatus.ACKNOWLEDGED, Urgency.HIGH, True, False, False, GRACE, False),
    ],
)
def test_the_invariant(world, status, urgency, pages, running, finished, age, restored):  # noqa: F811
    router, _, _, _clock = world
    incident = router.route(alert()).incident.model_copy(update={"status": status, "urgency": urgency})
    found = restore(
        incident, pages=pages, running=running, last=None, finished=finished, now=incident.updated_at + age
    )
    assert (found is not None) == restored


@pytest.mark.parametrize(
    ("name", "round_"),
    [
        (execution_name("0f" * 16, 0), ("0f" * 16, 0)),
        (execution_name("0f" * 16, 3), ("0f" * 16, 3)),
        (resumed_execution_name("0f" * 16, 2, 1_765_000_000), ("0f" * 16, 2)),
        ("0f0f-2-ack", None),
        ("7c1e2a4b-1f2e-4b6a-9d3c-2a1b0c9d8e7f", None),
    ],
)
def test_an_execution_name_says_which_round_it_pages_for(name, round_):
    assert execution_round(name) == round_


# --- acknowledgement timers that were lost (issue 13 §4: timers over Step Functions' limits) ------------


def _acked(sweeper, world, minutes: int):  # noqa: F811
    sweep, _, service, router, _notifier, clock = sweeper
    with_ack_timeout(service, minutes=minutes)
    sweep.directory = service.directory  # the edited configuration, as both read it
    incident = router.route(alert()).incident
    IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock).acknowledge(
        incident.id, "user:alice"
    )
    return sweep, clock, incident


def test_an_acknowledgement_outliving_its_timeout_is_triggered_again_by_the_sweeper(sweeper, world):  # noqa: F811
    sweep, clock, incident = _acked(sweeper, world, minutes=30)
    clock.advance(minutes=30)
    assert sweep.sweep() == []  # due now: its own timer fires it; the sweeper waits a minute more
    clock.advance(seconds=GRACE.total_seconds())
    assert sweep.sweep() == [incident.id]
    again = world[1].get(incident.id)
    assert (again.status, again.escalation_round, again.acknowledged_by) == (
        IncidentStatus.TRIGGERED,
        1,
        None,
    )
    assert world[2].types()[-1] == DetailType.INCIDENT_TRIGGERED  # which starts round 1's escalation
    (entry,) = [e for e in sweep.timeline.list(incident.id) if e.actor == "system:sweeper"]
    assert entry.message.endswith("triggered again (its timer was lost: the sweeper fired it)")
    assert sweep.sweep() == []  # once


def test_a_timer_that_fired_or_an_incident_resolved_is_left_alone(sweeper, world):  # noqa: F811
    sweep, clock, incident = _acked(sweeper, world, minutes=30)
    IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock).resolve(
        incident.id, "user:a"
    )
    clock.advance(hours=2)
    assert sweep.sweep() == []


def test_without_an_acknowledgement_timeout_nothing_is_due(sweeper, world):  # noqa: F811
    sweep, _, _, router, _notifier, clock = sweeper
    incident = router.route(alert()).incident
    IncidentService(incidents=world[1], timeline=world[1].timeline, clock=clock).acknowledge(
        incident.id, "user:alice"
    )
    clock.advance(days=30)
    assert sweep.sweep() == []

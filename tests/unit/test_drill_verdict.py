"""Drill plans and verdicts: when each step is due, and which step a failing drill names."""

from __future__ import annotations

from klaxon.domain.paging.drill import PageSeen, judge, length_seconds, plan, scaled_wait_seconds
from klaxon.domain.paging.policy import EscalationPolicy

POLICY = EscalationPolicy.model_validate(
    {
        "id": "p",
        "steps": [
            {"targets": [{"schedule": "primary"}], "delay_minutes": 5},
            {"targets": [{"user": "bob"}, {"schedule": "secondary"}], "delay_minutes": 10},
            {"targets": [{"user": "grace"}], "delay_minutes": 0},
        ],
        "repeat": 1,
    }
)


def page(step: int, loop: int = 0, status: str = "sent", error: str | None = None) -> PageSeen:
    return PageSeen(loop=loop, step=step, user="u", channel="sms", status=status, error=error)


def every_page() -> list[PageSeen]:
    return [page(step, loop) for loop in range(2) for step in range(3)]


def test_the_plan_lists_every_step_of_every_pass_at_the_drills_time_scale():
    planned = plan(POLICY, time_scale=60)
    assert [(s.loop, s.step, s.due_seconds) for s in planned] == [
        (0, 0, 0.0),
        (0, 1, 5.0),
        (0, 2, 15.0),
        (1, 0, 15.0),
        (1, 1, 20.0),
        (1, 2, 30.0),
    ]
    assert planned[1].targets == "user bob, schedule secondary"


def test_the_length_includes_the_last_steps_notification_rules():
    assert length_seconds(POLICY) == 30 * 60
    assert length_seconds(POLICY, rules_minutes=5) == 35 * 60
    assert length_seconds(POLICY, time_scale=600, rules_minutes=5) == 3.5


def test_scaled_waits_are_whole_seconds_and_never_vanish():
    assert [scaled_wait_seconds(m, 600) for m in (0, 1, 5, 15)] == [0, 1, 1, 2]
    assert scaled_wait_seconds(5, 1) == 300


def test_a_drill_where_every_step_paged_passes():
    verdict = judge(plan(POLICY), every_page(), [], finished=True, acknowledged_by=None)
    assert (verdict.passed, verdict.problems) == (True, [])
    assert verdict.summary == "every step of the policy paged (6 step(s))"


def test_a_failed_page_fails_the_drill_and_names_its_step_and_error():
    pages = [*every_page()[:4], page(1, 1, "failed", "carrier said no"), every_page()[5]]
    verdict = judge(plan(POLICY), pages, [], finished=True, acknowledged_by=None)
    assert not verdict.passed
    assert verdict.problems == ["step 2 of pass 2: u by sms failed: carrier said no"]


def test_a_drill_that_stopped_early_names_the_first_step_that_never_paged():
    verdict = judge(plan(POLICY), every_page()[:2], [], finished=False, acknowledged_by=None)
    assert verdict.problems == ["step 3 of pass 1 (user grace), due 15:00 after the start, never paged"]
    assert verdict.summary == "2 of 6 step(s) paged before the drill gave up"


def test_a_gap_fails_the_drill_with_its_own_message():
    gap = "Step 1 paged nobody: no one is on call"
    pages = [p for p in every_page() if (p.loop, p.step) != (0, 0)]
    verdict = judge(plan(POLICY), pages, [gap], finished=True, acknowledged_by=None)
    assert verdict.problems == [gap]


def test_an_acknowledged_drill_passes():
    verdict = judge(plan(POLICY), every_page()[:1], [], finished=False, acknowledged_by="alice")
    assert (verdict.passed, verdict.summary) == (True, "acknowledged by alice after 1 step(s) paged")

"""Schedule lint: too long on call, too little rest, coverage gaps, and policies without a backup."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from klaxon.domain.paging.policy import EscalationPolicy, Step, Target
from klaxon.domain.schedule.guardrails import Rule, lint_schedules
from klaxon.domain.schedule.models import Layer, Restriction, Rotation, RotationType, Schedule, Weekday

START = datetime(2026, 1, 5, 14, tzinfo=UTC)  # Monday 09:00 in New York
WEEKDAYS = [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI]


def schedule(kind: RotationType, people: list[str], length: int = 1, *restrictions: Restriction) -> Schedule:
    rotation = Rotation(
        type=kind,
        participants=people,
        start=datetime(2026, 1, 5, 9),
        time_zone="America/New_York",
        shift_length=length,
    )
    layer = Layer(name="main", rotation=rotation, restrictions=list(restrictions))
    return Schedule(id="primary", time_zone="America/New_York", layers=[layer])


def rules(
    schedules: list[Schedule], policies: list[EscalationPolicy] | None = None, weeks: int = 8
) -> set[Rule]:
    return {f.rule for f in lint_schedules(schedules, policies or [], START, weeks)}


def policy(*steps: list[Target]) -> EscalationPolicy:
    return EscalationPolicy(
        id="checkout", steps=[Step(targets=targets, delay_minutes=10) for targets in steps]
    )


DEMO = schedule(RotationType.WEEKLY, ["alice", "bob", "carol"])
ON_PRIMARY, ON_BACKUP = Target(schedule="primary"), Target(schedule="backup")


def test_the_demo_primary_breaks_no_schedule_rule_all_year():
    assert rules([DEMO], weeks=52) == set()


def test_two_week_shifts_are_flagged_as_on_call_too_long():
    findings = lint_schedules([schedule(RotationType.WEEKLY, ["ana", "ben"], 2)], [], START, 4)
    assert {(f.rule, f.user) for f in findings} >= {(Rule.LONG_ON_CALL, "ana"), (Rule.LONG_ON_CALL, "ben")}


def test_a_weekly_shift_across_fall_back_is_seven_days_not_too_long():
    fall = lint_schedules([DEMO], [], datetime(2026, 10, 26, 13, tzinfo=UTC), 2)
    assert [f for f in fall if f.rule is Rule.LONG_ON_CALL] == []


def test_a_two_person_daily_rotation_gets_too_little_rest():
    findings = lint_schedules([schedule(RotationType.DAILY, ["ana", "ben"])], [], START, 1)
    rests = [f for f in findings if f.rule is Rule.SHORT_REST]
    assert rests and all(f.end - f.start == timedelta(days=1) for f in rests)


def test_a_weekly_turn_restricted_to_office_hours_counts_as_one_shift():
    office = Restriction(days=WEEKDAYS, start=time(9), end=time(17))
    restricted = schedule(RotationType.WEEKLY, ["ana", "ben"], 1, office)
    assert Rule.SHORT_REST not in rules([restricted])


def test_each_gap_in_coverage_is_reported_with_its_bounds():
    office = Restriction(days=[Weekday.MON], start=time(9), end=time(17))
    findings = lint_schedules([schedule(RotationType.WEEKLY, ["ana"], 1, office)], [], START, 1)
    gaps = [f for f in findings if f.rule is Rule.COVERAGE_GAP]
    assert [(f.rule, f.start, f.end) for f in gaps] == [
        (Rule.COVERAGE_GAP, START + timedelta(hours=8), START + timedelta(weeks=1))
    ]


def test_a_policy_paging_one_schedule_and_nobody_after_it_lacks_a_backup():
    (finding,) = lint_schedules([], [policy([ON_PRIMARY])], START, 1)
    assert (finding.rule, finding.schedule, finding.policy) == (Rule.NO_BACKUP, "primary", "checkout")


def test_a_later_step_paging_a_user_is_a_backup():
    assert rules([], [policy([ON_PRIMARY], [Target(user="lead")])]) == set()


def test_a_later_step_paging_another_schedule_is_a_backup():
    assert rules([], [policy([ON_PRIMARY], [ON_BACKUP])]) == set()


def test_a_user_paged_alongside_the_schedule_is_not_a_backup():
    assert rules([], [policy([ON_PRIMARY, Target(user="lead")])]) == {Rule.NO_BACKUP}


def test_paging_the_same_schedule_again_is_not_a_backup():
    assert rules([], [policy([ON_PRIMARY], [ON_PRIMARY])]) == {Rule.NO_BACKUP}


def test_a_policy_paging_only_users_has_no_schedule_to_flag():
    assert rules([], [policy([Target(user="lead")])]) == set()

"""Walking the demo's default policy tick by tick: who is due when."""

from __future__ import annotations

from klaxon.domain.paging.escalation import Rule, Tick, due_channels, next_tick, step_for
from klaxon.domain.paging.policy import Channel, EscalationPolicy, Step, Target

PUSH, SMS, VOICE, EMAIL = Channel.PUSH, Channel.SMS, Channel.VOICE, Channel.EMAIL
DEFAULT_RULES = [
    Rule(channel=PUSH, delay_minutes=0),
    Rule(channel=SMS, delay_minutes=1),
    Rule(channel=VOICE, delay_minutes=5),
]

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


def walk(policy: EscalationPolicy, rules: list[Rule]) -> list[tuple[int, int, list[Channel]]]:
    """Every tick with its absolute minute and the channels due for a user with `rules`."""
    out, tick, minute = [], Tick(), 0
    while tick is not None:
        found = step_for(policy, tick)
        assert found is not None
        tick, step = found
        out.append((minute, tick.step, due_channels(step, rules, tick.at_minute)))
        following = next_tick(policy, step, tick, {"u": rules})
        minute += following.wait_minutes
        tick = following.tick
    return out


def test_the_default_policy_pages_at_0_5_10_15_and_30_minutes():
    starts = [(m, s) for m, s, _ in walk(DEFAULT, DEFAULT_RULES) if s is not None]
    step_starts = sorted({s: m for m, s in reversed(starts)}.items())
    assert step_starts == [(0, 0), (1, 5), (2, 10), (3, 15), (4, 30)]


def test_steps_with_channels_page_on_exactly_those_channels_once():
    ticks = walk(DEFAULT, DEFAULT_RULES)
    assert ticks[0] == (0, 0, [PUSH, SMS])
    assert ticks[2] == (10, 2, [VOICE])


def test_steps_without_channels_follow_each_users_rules_until_the_next_step():
    frank = [(m, c) for m, s, c in walk(DEFAULT, DEFAULT_RULES) if s == 3]
    assert frank == [(15, [PUSH]), (16, [SMS]), (20, [VOICE])]


def test_the_last_step_runs_its_rules_out_then_escalation_ends():
    grace = [(m, c) for m, s, c in walk(DEFAULT, DEFAULT_RULES) if s == 4]
    assert grace == [(30, [PUSH]), (31, [SMS]), (35, [VOICE])]


def test_a_repeated_policy_starts_over_after_its_last_step():
    policy = DEFAULT.model_copy(update={"repeat": 1})
    minutes = [m for m, s, _ in walk(policy, []) if s == 0]
    assert minutes == [0, 30]


def test_rules_later_than_the_step_delay_are_left_to_the_next_step():
    policy = EscalationPolicy(
        id="p",
        steps=[
            Step(targets=[Target(user="a")], delay_minutes=2),
            Step(targets=[Target(user="b")], delay_minutes=0),
        ],
    )
    first_step = [(m, c) for m, s, c in walk(policy, DEFAULT_RULES) if s == 0]
    assert first_step == [(0, [PUSH]), (1, [SMS])]


def test_a_tick_past_a_shortened_policy_wraps_when_it_repeats_and_ends_otherwise():
    short = EscalationPolicy(id="p", steps=[Step(targets=[Target(user="a")], delay_minutes=1)], repeat=1)
    assert step_for(short, Tick(loop=0, step=3)) == (Tick(loop=1), short.steps[0])
    assert step_for(short.model_copy(update={"repeat": 0}), Tick(loop=0, step=3)) is None

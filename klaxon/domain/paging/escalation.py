"""Walking an escalation policy: what is due at a tick, and when the next tick is.

A tick is (loop, step, minute into the step). At minute 0 a step pages its targets on the step's
channels, or on each user's own notification rules; rules with a delay page again at later ticks of
the same step while the incident stays unacknowledged. The next step starts `delay_minutes` after
this one did; the last step of the last loop runs its users' rules out, then escalation ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ConfigDict

from klaxon.domain.model import Model
from klaxon.domain.paging.policy import Channel, EscalationPolicy, Step


class Tick(Model):
    model_config = ConfigDict(frozen=True)

    loop: int = 0
    step: int = 0
    at_minute: int = 0


class Rule(Model):
    """A user's notification rule: page on `channel` `delay_minutes` into a step."""

    model_config = ConfigDict(frozen=True)

    channel: Channel
    delay_minutes: int


class NextTick(Model):
    model_config = ConfigDict(frozen=True)

    tick: Tick | None  # None: escalation is over
    wait_minutes: int = 0


def due_channels(step: Step, rules: Sequence[Rule], at_minute: int) -> list[Channel]:
    """A step with channels pages on them once, at its start; otherwise the user's rules due now."""
    if step.channels:
        return list(step.channels) if at_minute == 0 else []
    return sorted({r.channel for r in rules if r.delay_minutes == at_minute}, key=list(Channel).index)


def is_final(policy: EscalationPolicy, tick: Tick) -> bool:
    """The last step of the last repeat: nothing follows it."""
    return tick.step >= len(policy.steps) - 1 and tick.loop >= policy.repeat


def next_tick(
    policy: EscalationPolicy, step: Step, tick: Tick, rules: Mapping[str, Sequence[Rule]]
) -> NextTick:
    """The next moment something may be due: a later rule of this step, else the next step (or loop)."""
    final = is_final(policy, tick)
    later = sorted(
        {
            r.delay_minutes
            for user_rules in rules.values()
            for r in user_rules
            if not step.channels and r.delay_minutes > tick.at_minute
        }
    )
    within = [m for m in later if final or m < step.delay_minutes]
    if within:
        return NextTick(
            tick=tick.model_copy(update={"at_minute": within[0]}), wait_minutes=within[0] - tick.at_minute
        )
    if final:
        return NextTick(tick=None)
    following = (
        Tick(loop=tick.loop, step=tick.step + 1)
        if tick.step + 1 < len(policy.steps)
        else Tick(loop=tick.loop + 1)
    )
    return NextTick(tick=following, wait_minutes=max(step.delay_minutes - tick.at_minute, 0))


def step_for(policy: EscalationPolicy, tick: Tick) -> tuple[Tick, Step] | None:
    """The step a tick names in the current policy; a policy shortened mid-incident wraps or ends."""
    if tick.step < len(policy.steps):
        return tick, policy.steps[tick.step]
    if tick.loop < policy.repeat:
        wrapped = Tick(loop=tick.loop + 1)
        return wrapped, policy.steps[0]
    return None

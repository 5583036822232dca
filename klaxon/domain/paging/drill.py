"""Fire drills: what a policy should page and when, and the verdict on what it did page.

A drill walks the real policy (optionally faster: `time_scale` divides every wait). It passes when
every step paged someone and no page failed, or when someone acknowledged before the end; else the
verdict names the first step that failed and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from klaxon.domain.paging.policy import EscalationPolicy, Step

MAX_TIME_SCALE = 3600.0


@dataclass(frozen=True)
class PlannedStep:
    loop: int
    step: int
    due_seconds: float  # after the drill opened, at the drill's time scale
    targets: str


@dataclass(frozen=True)
class PageSeen:
    loop: int
    step: int
    user: str
    channel: str
    status: str
    error: str | None = None


@dataclass
class Verdict:
    passed: bool
    problems: list[str] = field(default_factory=list)
    summary: str = ""


def scaled_wait_seconds(minutes: int, time_scale: float) -> int:
    """A wait of `minutes`, `time_scale` times faster (whole seconds, never shorter than one)."""
    if minutes <= 0:
        return 0
    return max(1, math.ceil(minutes * 60 / time_scale))


def describe_targets(step: Step) -> str:
    names = [f"schedule {t.schedule}" if t.schedule else f"user {t.user}" for t in step.targets]
    return ", ".join(names)


def plan(policy: EscalationPolicy, time_scale: float = 1.0) -> list[PlannedStep]:
    """Every step of every pass, with when it is due after the drill opened."""
    planned, at = [], 0
    for loop in range(policy.repeat + 1):
        for index, step in enumerate(policy.steps):
            planned.append(PlannedStep(loop, index, at / time_scale * 60, describe_targets(step)))
            at += step.delay_minutes
    return planned


def length_seconds(policy: EscalationPolicy, time_scale: float = 1.0, rules_minutes: int = 0) -> float:
    """From the first page to the last, at the drill's time scale. `rules_minutes` is the latest
    notification rule of the people paged: a last step without its own channels lasts that long."""
    total = sum(step.delay_minutes for step in policy.steps) * (policy.repeat + 1)
    last = policy.steps[-1]
    tail = max(0, rules_minutes - last.delay_minutes) if last.channels is None else 0
    return (total + tail) * 60 / time_scale


def judge(
    planned: list[PlannedStep],
    pages: list[PageSeen],
    gaps: list[str],
    *,
    finished: bool,
    acknowledged_by: str | None,
) -> Verdict:
    """Pass, or the first step that went wrong and why (then every other problem)."""
    problems = [
        f"{_name(p.loop, p.step, planned)}: {p.user} by {p.channel} failed: {p.error or p.status}"
        for p in pages
        if p.status == "failed"
    ]
    problems += gaps
    paged = {(p.loop, p.step) for p in pages if p.status != "failed"}
    tried = {(p.loop, p.step) for p in pages}
    if acknowledged_by is not None:
        summary = f"acknowledged by {acknowledged_by} after {len(paged)} step(s) paged"
    elif finished:
        summary = f"every step of the policy paged ({len(planned)} step(s))"
        problems += [
            f"{_name(s.loop, s.step, planned)} ({s.targets}) paged nobody"
            for s in planned
            if (s.loop, s.step) not in tried and not _has_gap(s, gaps)
        ]
    else:
        missing = next((s for s in planned if (s.loop, s.step) not in paged), None)
        where = (
            f"{_name(missing.loop, missing.step, planned)} ({missing.targets}), due "
            f"{_clock(missing.due_seconds)} after the start, never paged"
            if missing
            else "the last step paged, but the policy never reported that it finished"
        )
        problems.append(where)
        summary = f"{len(paged)} of {len(planned)} step(s) paged before the drill gave up"
    return Verdict(passed=not problems, problems=problems, summary=summary)


def _has_gap(step: PlannedStep, gaps: list[str]) -> bool:
    return any(gap.startswith(f"Step {step.step + 1} ") for gap in gaps)


def _name(loop: int, step: int, planned: list[PlannedStep]) -> str:
    loops = max((s.loop for s in planned), default=0) + 1
    return f"step {step + 1}" + (f" of pass {loop + 1}" if loops > 1 else "")


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"

"""Schedule guardrails: findings about load, rest, coverage and backup that `klaxon schedule lint` prints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from klaxon.domain.paging.policy import EscalationPolicy
from klaxon.domain.schedule.backup import policies_without_backup
from klaxon.domain.schedule.findings import Finding, Rule
from klaxon.domain.schedule.layers import final_spans
from klaxon.domain.schedule.models import Override, Schedule
from klaxon.domain.schedule.spans import Span, Window, holes, join, merge_windows
from klaxon.domain.schedule.zones import as_utc, wall_length, zone

__all__ = ["Finding", "Rule", "coverage_gaps", "lint_schedules", "long_on_call", "short_rest"]

WEEK = timedelta(days=7)
_CONTEXT = timedelta(days=14)  # look this far outside the range so spans crossing its edges are whole


def long_on_call(schedule: Schedule, spans: list[Span], limit: timedelta = WEEK) -> list[Finding]:
    """Anyone on call without a break for longer than `limit`, counted on the schedule's wall clock."""
    tz = zone(schedule.time_zone)
    return [
        Finding(
            rule=Rule.LONG_ON_CALL,
            schedule=schedule.id,
            user=run.user,
            start=run.start,
            end=run.end,
            message=f"{run.user} is on call for {_days(run.start, run.end, tz)} days without a break",
        )
        for run in join(spans, by_layer=False)
        if wall_length(run.start, run.end, tz) > limit
    ]


def _turns(spans: list[Span]) -> dict[str, list[Window]]:
    """Each user's shifts as whole turns: a rotation shift split by restrictions counts once."""
    hulls: dict[tuple[str, object], Window] = {}
    for run in join(spans, by_layer=True):
        key = (run.user, run.turn if run.turn is not None else run.start)
        lo, hi = hulls.get(key, (run.start, run.end))
        hulls[key] = (min(lo, run.start), max(hi, run.end))
    turns: dict[str, list[Window]] = {}
    for (user, _), window in hulls.items():
        turns.setdefault(user, []).append(window)
    return {user: merge_windows(windows) for user, windows in turns.items()}


def short_rest(schedule: Schedule, spans: list[Span], minimum: timedelta = WEEK) -> list[Finding]:
    """Anyone back on call less than `minimum` after their previous shift in the same schedule.

    A shift here is a whole rotation turn (a weekly turn restricted to office hours is one shift, not
    five) or one override; the rest between two is counted on the schedule's wall clock.
    """
    tz = zone(schedule.time_zone)
    findings: list[Finding] = []
    for user, turns in sorted(_turns(spans).items()):
        for (_, off), (on, _) in pairwise(turns):
            if wall_length(off, on, tz) < minimum:
                message = f"{user} gets only {_days(off, on, tz)} days off between shifts"
                findings.append(
                    Finding(
                        rule=Rule.SHORT_REST,
                        schedule=schedule.id,
                        user=user,
                        start=off,
                        end=on,
                        message=message,
                    )
                )
    return findings


def coverage_gaps(schedule: Schedule, spans: list[Span], start: datetime, end: datetime) -> list[Finding]:
    """Every stretch of [start, end) when nobody is on call."""
    return [
        Finding(
            rule=Rule.COVERAGE_GAP,
            schedule=schedule.id,
            start=lo,
            end=hi,
            message=f"nobody is on call from {lo.isoformat()} to {hi.isoformat()}",
        )
        for lo, hi in holes(spans, as_utc(start), as_utc(end))
    ]


def _days(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    return f"{wall_length(start, end, tz) / timedelta(days=1):.1f}"


def lint_schedules(
    schedules: Sequence[Schedule],
    policies: Sequence[EscalationPolicy],
    start: datetime,
    weeks: int,
    overrides: Sequence[Override] = (),
) -> list[Finding]:
    """Every guardrail finding over the `weeks` weeks from `start`, schedule by schedule, then policies.

    Load and rest are judged on who is really on call (layers, restrictions and overrides applied),
    looking a little outside the range so a shift crossing its edge is judged whole; a finding is
    reported when its span touches the range.
    """
    start = as_utc(start)
    end = start + weeks * WEEK
    findings: list[Finding] = []
    for schedule in schedules:
        spans = final_spans(schedule, overrides, start - _CONTEXT, end + _CONTEXT)
        load = long_on_call(schedule, spans) + short_rest(schedule, spans)
        findings += [f for f in load if f.start < end and f.end > start]
        findings += coverage_gaps(schedule, spans, start, end)
    return findings + policies_without_backup(policies, start, end)

"""The backup guardrail: an escalation policy whose only schedule has nobody after it to escalate to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from klaxon.domain.paging.policy import EscalationPolicy
from klaxon.domain.schedule.findings import Finding, Rule


def lacks_backup(policy: EscalationPolicy) -> str | None:
    """The policy's one schedule if no later step names another schedule or a user; else None.

    A policy that names two or more schedules, or any user in a step after its first schedule step,
    has someone to escalate to when the primary does not answer. Repeating the policy is not a
    backup: it pages the same person again.
    """
    named = {t.schedule for step in policy.steps for t in step.targets if t.schedule is not None}
    if len(named) != 1:
        return None
    first = next(i for i, step in enumerate(policy.steps) if any(t.schedule for t in step.targets))
    later_users = any(t.user is not None for step in policy.steps[first + 1 :] for t in step.targets)
    return None if later_users else named.pop()


def policies_without_backup(
    policies: Sequence[EscalationPolicy], start: datetime, end: datetime
) -> list[Finding]:
    """A finding for each policy that pages one schedule and nobody after it."""
    findings: list[Finding] = []
    for policy in policies:
        schedule = lacks_backup(policy)
        if schedule is not None:
            findings.append(
                Finding(
                    rule=Rule.NO_BACKUP,
                    schedule=schedule,
                    policy=policy.id,
                    start=start,
                    end=end,
                    message=f"policy {policy.id} pages schedule {schedule} and nobody after it",
                )
            )
    return findings

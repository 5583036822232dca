"""Escalation policies: ordered steps, each paging targets and then waiting before the next."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import ConfigDict, Field, model_validator

from klaxon.domain.model import Model

if TYPE_CHECKING:
    from klaxon.domain.schedule.models import Schedule


class Channel(StrEnum):
    PUSH = "push"
    SMS = "sms"
    VOICE = "voice"
    EMAIL = "email"
    SLACK = "slack"  # a direct message from the Klaxon app, with Acknowledge / Resolve / Escalate buttons


class Target(Model):
    """Exactly one of `user` or `schedule` (the schedule's on-call people at the time of the step)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user: str | None = None
    schedule: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        if (self.user is None) == (self.schedule is None):
            raise ValueError("a target names exactly one of user or schedule")
        return self


class Step(Model):
    """Page `targets` (on `channels`, or each user's own rules if none), then wait `delay_minutes`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    targets: list[Target] = Field(min_length=1)
    delay_minutes: int = Field(ge=0, le=1440)
    channels: list[Channel] | None = None


class EscalationPolicy(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str | None = None
    steps: list[Step] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=9)
    # At most a week: the execution that waits it out times out after seven days (the sweeper then fires it).
    ack_timeout_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)
    # Low urgency (P3/P4) never escalates: the first step's people are told once, by these channels.
    low_urgency_channels: list[Channel] = Field(default_factory=list)

    def step_offsets_minutes(self) -> list[int]:
        """When each step fires, in minutes after the incident opened (first pass)."""
        offsets, at = [], 0
        for step in self.steps:
            offsets.append(at)
            at += step.delay_minutes
        return offsets


def responders(policy: EscalationPolicy | None, schedules: Mapping[str, Schedule]) -> frozenset[str]:
    """Everyone a policy can page: its users, and every participant of the schedules it names."""
    if policy is None:
        return frozenset()
    found: set[str] = set()
    for step in policy.steps:
        for target in step.targets:
            schedule = schedules.get(target.schedule or "")
            if target.user is not None:
                found.add(target.user)
            elif schedule is not None:
                found.update(p for layer in schedule.layers for p in layer.rotation.participants)
    return frozenset(found)

"""The `chat` section: which incidents get a room (a Slack channel), who joins every room, where
stakeholders see a one-line card, and when rooms are archived (see docs/slack.md)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, ConfigDict, Field

from klaxon.config.problems import Problem, unknown
from klaxon.config.values import Id
from klaxon.domain.chat.rooms import ChatPolicy
from klaxon.domain.incident.models import Priority
from klaxon.domain.model import Model

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig

# A channel by name (`#incidents`) or by Slack id (`C0123ABCD`).
_CHANNEL = re.compile(r"^(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{6,20})$")


def _channel(value: str) -> str:
    if not _CHANNEL.match(value):
        raise ValueError("name a channel as `#name` (lowercase letters, digits, '-' and '_') or by its id")
    return value


Channel = Annotated[str, AfterValidator(_channel)]


class ChatConfig(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    priorities: list[Priority] = Field(
        default_factory=lambda: [Priority.P1, Priority.P2],
        description="Incidents of these priorities get a room when they trigger (drills never do).",
    )
    announcements: Channel | None = Field(
        default="#incidents",
        description="Where each room's incident gets a one-line card, kept current (null: nowhere). "
        "Invite the Klaxon app to it.",
    )
    members: list[Id] = Field(
        default_factory=list, description="Users invited to every room, besides whoever is on call."
    )
    archive_after_days: int = Field(
        default=7, ge=0, le=365, description="Days after the incident resolves that its room is archived."
    )
    timeline_reaction: str = Field(
        default="pushpin",
        pattern=r"^[a-z0-9_+'-]{1,100}$",
        description="The reaction (its Slack name, without colons) that puts a message of an incident's "
        "room on the incident's timeline, as pinning it does.",
    )
    status_reminders: dict[Priority, int] = Field(
        default_factory=lambda: {Priority.P1: 30, Priority.P2: 60},
        description="Minutes an open incident's room may go without a public status update before Klaxon "
        "reminds it to post one (again every as many minutes, or after a Snooze); a priority not listed "
        "is never reminded.",
    )
    oncall_groups: dict[Id, str] = Field(
        default_factory=dict,
        description="Schedule id -> the id of a Slack user group (`S0123ABCD`, from the group's link in "
        "Slack) that Klaxon keeps to exactly who is on call on that schedule, at every shift change and "
        "override.",
    )
    postmortem_before_archive: list[Priority] = Field(
        default_factory=lambda: [Priority.P1, Priority.P2],
        description="Rooms of these priorities stay open until the incident has a post-mortem.",
    )

    def to_domain(self, emails: dict[str, str]) -> ChatPolicy:
        """The policy, with `members` as the users' emails (the chat product looks people up by email)."""
        return ChatPolicy(
            priorities=frozenset(self.priorities),
            announcements=self.announcements,
            members=tuple(emails[m] for m in self.members if m in emails),
            archive_after=timedelta(days=self.archive_after_days),
            hold_for_postmortem=frozenset(self.postmortem_before_archive),
            timeline_reaction=self.timeline_reaction,
            oncall_groups=dict(self.oncall_groups),
            reminders={p: timedelta(minutes=m) for p, m in self.status_reminders.items()},
        )


def chat_policy_of(config: KlaxonConfig) -> ChatPolicy:
    """The chat policy (the defaults when the section is absent)."""
    section = config.chat or ChatConfig()
    return section.to_domain({u.id: u.email for u in config.users})


def chat_references_resolve(config: KlaxonConfig) -> list[Problem]:
    """`members` are users; `oncall_groups` name schedules."""
    if config.chat is None:
        return []
    users, schedules = [u.id for u in config.users], [s.id for s in config.schedules]
    problems: list[Problem] = [
        (("chat", "members", i), unknown("user", member, users))
        for i, member in enumerate(config.chat.members)
        if member not in users
    ]
    problems += [
        (("chat", "oncall_groups", schedule), unknown("schedule", schedule, schedules))
        for schedule in config.chat.oncall_groups
        if schedule not in schedules
    ]
    return problems

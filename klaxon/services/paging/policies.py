"""What escalation needs of the configuration: the policies, each service's policy, the people, and
which policy an incident escalates on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.incident.models import Incident
from klaxon.domain.paging.escalation import Rule
from klaxon.domain.paging.policy import Channel, EscalationPolicy, Step, Target
from klaxon.events import IncidentSnapshot


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    contacts: Mapping[Channel, str]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class PoliciesAndPeople:
    """What escalation needs of the configuration: the policies, each service's policy, the people."""

    policies: Mapping[str, EscalationPolicy]
    service_policy: Mapping[str, str]
    people: Mapping[str, Person]


USER_POLICY_PREFIX = "user:"


def policy_of(incident: Incident | IncidentSnapshot, directory: PoliciesAndPeople) -> EscalationPolicy | None:
    """The policy an incident escalates on: reassigned to a user (`user:<id>`), named, or its service's."""
    chosen = incident.escalation_policy or directory.service_policy.get(incident.service)
    if chosen and chosen.startswith(USER_POLICY_PREFIX):
        user = chosen.removeprefix(USER_POLICY_PREFIX)
        return EscalationPolicy(id=chosen, steps=[Step(targets=[Target(user=user)], delay_minutes=0)])
    return directory.policies.get(chosen or "")


def step_users(step: Step, now: datetime, on_call: Callable[[str, datetime], list[str]]) -> list[str]:
    """The users a step reaches at `now`: its users, and whoever is on call on its schedules, each once."""
    users: list[str] = []
    for target in step.targets:
        found = [target.user] if target.user else on_call(target.schedule or "", now)
        users += [u for u in found if u not in users]
    return users

"""Cross-reference rules of a whole config: every id is defined once and every reference resolves."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from klaxon.config.chat import chat_references_resolve
from klaxon.config.noise import noise_references_resolve
from klaxon.config.problems import Loc, Problem, unknown
from klaxon.config.runbooks import runbook_references_resolve
from klaxon.config.sla import sla_references_resolve
from klaxon.config.statuspage import statuspage_services_exist
from klaxon.config.trackers import trackers_resolve
from klaxon.config.values import check_id, check_time_zone

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


def _ids(items: Iterable[_HasId]) -> list[str]:
    return [item.id for item in items]


def ids_are_unique(config: KlaxonConfig) -> list[Problem]:
    """Ids are unique within each section (users, teams, services, integrations, schedules, policies and
    runbooks)."""
    problems: list[Problem] = []
    sections = (
        "users",
        "teams",
        "services",
        "integrations",
        "schedules",
        "escalation_policies",
        "runbooks",
        "slos",
        "customers",
    )
    for section in sections:
        first: dict[str, int] = {}
        for i, item_id in enumerate(_ids(getattr(config, section))):
            if item_id in first:
                where = f"{section}[{first[item_id]}]"
                problems.append(((section, i, "id"), f"duplicate id {item_id!r}; first defined at {where}"))
            first.setdefault(item_id, i)
    return problems


def schedules_and_policies_are_well_formed(config: KlaxonConfig) -> list[Problem]:
    """Schedule and escalation policy ids follow the id rules; schedule and rotation time zones are IANA."""
    problems: list[Problem] = []

    def check(loc: Loc, rule: Callable[[str], str], value: str) -> None:
        try:
            rule(value)
        except ValueError as e:
            problems.append((loc, str(e)))

    for i, schedule in enumerate(config.schedules):
        check(("schedules", i, "id"), check_id, schedule.id)
        check(("schedules", i, "time_zone"), check_time_zone, schedule.time_zone)
        for j, layer in enumerate(schedule.layers):
            loc = ("schedules", i, "layers", j, "rotation", "time_zone")
            check(loc, check_time_zone, layer.rotation.time_zone)
    for i, policy in enumerate(config.escalation_policies):
        check(("escalation_policies", i, "id"), check_id, policy.id)
    return problems


def team_members_are_users(config: KlaxonConfig) -> list[Problem]:
    """Every team member is a user."""
    users = _ids(config.users)
    return [
        (("teams", i, "members", j), unknown("user", member, users))
        for i, team in enumerate(config.teams)
        for j, member in enumerate(team.members)
        if member not in users
    ]


def rotation_participants_are_users(config: KlaxonConfig) -> list[Problem]:
    """Every rotation participant is a user."""
    users = _ids(config.users)
    return [
        (("schedules", i, "layers", j, "rotation", "participants", k), unknown("user", who, users))
        for i, schedule in enumerate(config.schedules)
        for j, layer in enumerate(schedule.layers)
        for k, who in enumerate(layer.rotation.participants)
        if who not in users
    ]


def policy_targets_exist(config: KlaxonConfig) -> list[Problem]:
    """Every escalation step target is an existing user or schedule."""
    users, schedules = _ids(config.users), _ids(config.schedules)
    problems: list[Problem] = []
    for i, policy in enumerate(config.escalation_policies):
        for j, step in enumerate(policy.steps):
            for k, target in enumerate(step.targets):
                loc: Loc = ("escalation_policies", i, "steps", j, "targets", k)
                if target.user is not None and target.user not in users:
                    problems.append(((*loc, "user"), unknown("user", target.user, users)))
                if target.schedule is not None and target.schedule not in schedules:
                    problems.append(((*loc, "schedule"), unknown("schedule", target.schedule, schedules)))
    return problems


def services_reference_policies_and_teams(config: KlaxonConfig) -> list[Problem]:
    """Every service's escalation policy exists, and so does its team if it names one."""
    policies, teams = _ids(config.escalation_policies), _ids(config.teams)
    problems: list[Problem] = []
    for i, service in enumerate(config.services):
        if service.escalation_policy not in policies:
            reason = unknown("escalation policy", service.escalation_policy, policies)
            problems.append((("services", i, "escalation_policy"), reason))
        if service.team is not None and service.team not in teams:
            problems.append((("services", i, "team"), unknown("team", service.team, teams)))
    return problems


def integrations_route_to_services(config: KlaxonConfig) -> list[Problem]:
    """Every integration's `service`, `default_service` and rules' `set.service` is an existing service."""
    services = _ids(config.services)
    problems: list[Problem] = []
    for i, integration in enumerate(config.integrations):
        for field in ("service", "default_service"):
            named = getattr(integration, field)
            if named is not None and named not in services:
                problems.append((("integrations", i, field), unknown("service", named, services)))
        for j, rule in enumerate(integration.rules):
            named = rule.set.service if rule.set is not None else None
            if named is not None and named not in services:
                loc: Loc = ("integrations", i, "rules", j, "set", "service")
                problems.append((loc, unknown("service", named, services)))
    return problems


def integration_keys_are_distinct(config: KlaxonConfig) -> list[Problem]:
    """No two integrations share a key, since the key alone says which integration an alert came from."""
    first: dict[str, str] = {}
    problems: list[Problem] = []
    for i, integration in enumerate(config.integrations):
        digest = integration.identity()
        if digest in first:
            # Never echo the key: name the integration that already has it instead.
            where = ("integrations", i, integration.key_given_as())
            problems.append((where, f"same key as integration {first[digest]!r}"))
        first.setdefault(digest, integration.id)
    return problems


CHECKS: tuple[Callable[[KlaxonConfig], list[Problem]], ...] = (
    ids_are_unique,
    schedules_and_policies_are_well_formed,
    team_members_are_users,
    rotation_participants_are_users,
    policy_targets_exist,
    services_reference_policies_and_teams,
    integrations_route_to_services,
    integration_keys_are_distinct,
    statuspage_services_exist,
    noise_references_resolve,
    runbook_references_resolve,
    chat_references_resolve,
    trackers_resolve,
    sla_references_resolve,
)


def find_problems(config: KlaxonConfig) -> list[Problem]:
    """Every cross-reference problem in `config`, in section order."""
    return [problem for check in CHECKS for problem in check(config)]

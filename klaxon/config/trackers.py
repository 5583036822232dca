"""`postmortems.trackers`: the ticket trackers action items are filed in, each taking the items of the
services it names (one of them may take every other service's). Credentials are not here: they are the
stack's tracker secret, or TRACKER_CREDENTIALS locally (docs/postmortems.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ConfigDict, Field, model_validator

from klaxon.config.problems import Loc, Problem, unknown
from klaxon.domain.model import Model
from klaxon.domain.postmortem.actions import TrackerKind, TrackerTarget

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig

_NEEDS = {
    TrackerKind.JIRA: ("site", "project"),
    TrackerKind.LINEAR: ("team",),
    TrackerKind.ASANA: ("project",),
}


class TrackerConfig(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="Short id; webhooks name it.")
    kind: TrackerKind = Field(description="`jira` (Cloud REST v3), `linear` (GraphQL) or `asana` (REST).")
    site: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/]+$",
        description="Jira: the site, `https://acme.atlassian.net`.",
    )
    project: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Jira: the project key (`OPS`); Asana: the project's gid.",
    )
    issue_type: str = Field(default="Task", min_length=1, max_length=64, description="Jira: the issue type.")
    team: str | None = Field(default=None, min_length=1, max_length=64, description="Linear: the team's id.")
    services: list[str] = Field(default_factory=list, description="The services whose items it takes.")
    default: bool = Field(default=False, description="It also takes the items of services no tracker names.")

    @model_validator(mode="after")
    def _has_what_its_kind_needs(self) -> TrackerConfig:
        missing = [name for name in _NEEDS[self.kind] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"tracker {self.id!r} ({self.kind}) needs {' and '.join(missing)}")
        return self

    def to_domain(self) -> TrackerTarget:
        return TrackerTarget(
            id=self.id,
            kind=self.kind,
            project=self.project,
            team=self.team,
            site=self.site,
            issue_type=self.issue_type,
            services=frozenset(self.services),
        )


def trackers_resolve(config: KlaxonConfig) -> list[Problem]:
    """Tracker ids are unique, the services they name exist and are each taken once, one default at most."""
    trackers = config.postmortems.trackers if config.postmortems is not None else []
    services = [s.id for s in config.services]
    problems: list[Problem] = []
    first: dict[str, int] = {}
    taken: dict[str, str] = {}
    for i, tracker in enumerate(trackers):
        loc: Loc = ("postmortems", "trackers", i)
        if tracker.id in first:
            problems.append(
                ((*loc, "id"), f"duplicate id {tracker.id!r}; first at trackers[{first[tracker.id]}]")
            )
        first.setdefault(tracker.id, i)
        for j, service in enumerate(tracker.services):
            if service not in services:
                problems.append(((*loc, "services", j), unknown("service", service, services)))
            elif service in taken:
                problems.append(
                    ((*loc, "services", j), f"{service!r} is already taken by {taken[service]!r}")
                )
            taken.setdefault(service, tracker.id)
    defaults = [i for i, t in enumerate(trackers) if t.default]
    problems += [
        (("postmortems", "trackers", i, "default"), "only one tracker may be the default")
        for i in defaults[1:]
    ]
    return problems

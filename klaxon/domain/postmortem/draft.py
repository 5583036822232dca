"""What a post-mortem draft says, before any template words it: the timeline in time order, the people and
their roles, the durations, the affected service and status page components, and who owns it by when."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from klaxon.domain.incident.models import Incident, TimelineEntry
from klaxon.domain.postmortem.durations import Durations, durations
from klaxon.domain.statuspage.models import PublicIncident

DUE_AFTER = timedelta(hours=48)  # blameless reviews happen within two days of the resolution
# The service's change events a draft names: those from this long before the incident began to its end.
CHANGES_BEFORE = timedelta(hours=24)
# Timeline kinds that are bookkeeping, not events of the incident.
QUIET_KINDS = frozenset({"escalation finished"})


@dataclass(frozen=True)
class ComponentImpact:
    component: str
    status: str
    minutes: float | None  # how long it showed that status (None: still open)


@dataclass(frozen=True)
class DraftContext:
    incident: Incident
    timeline: Sequence[TimelineEntry]
    people: dict[str, list[str]]  # who -> what they did (commander, acknowledged, paged, wrote in Slack)
    durations: Durations
    components: Sequence[ComponentImpact]
    owner: str
    due: datetime
    impact_notes: Sequence[str] = field(default_factory=tuple)  # customer impact (SLA budgets, issue 17)
    changes: Sequence[TimelineEntry] = field(default_factory=tuple)  # the service's, oldest first

    def as_template_values(self) -> dict[str, object]:
        return {
            "incident": self.incident,
            "timeline": self.timeline,
            "people": self.people,
            "durations": self.durations,
            "components": self.components,
            "owner": self.owner,
            "due": self.due,
            "impact_notes": self.impact_notes,
            "changes": self.changes,
        }


def owner_of(incident: Incident) -> str:
    """The incident commander, else whoever resolved it, else whoever acknowledged it."""
    return incident.roles.get("commander") or incident.resolved_by or incident.acknowledged_by or "unassigned"


def people_of(incident: Incident, timeline: Iterable[TimelineEntry]) -> dict[str, list[str]]:
    """Everyone involved and how: roles first, then what the timeline shows them doing."""
    people: dict[str, list[str]] = {}

    def add(who: str | None, what: str) -> None:
        if who and not who.startswith("system:") and what not in people.setdefault(who, []):
            people[who].append(what)

    for role, holder in incident.roles.items():
        add(holder, role)
    for entry in timeline:
        if entry.kind == "notified":
            notification = entry.data.get("notification") or {}
            add(notification.get("user"), f"paged by {notification.get('channel', 'a channel')}")
        elif entry.kind in {"acknowledged", "resolved"}:
            add(entry.actor, entry.kind)
        elif entry.kind in {"note", "chat message", "status update", "role assigned", "priority changed"}:
            add(entry.actor, "took part")
    return people


def component_impacts(public: PublicIncident | None, resolved: datetime | None) -> list[ComponentImpact]:
    """Each status page component the incident affected, its status, and for how long: until the public
    incident resolved, else until the incident did (the status page may not have caught up yet)."""
    if public is None:
        return []
    end = public.resolved_at or resolved
    minutes = None if end is None else round((end - public.started_at).total_seconds() / 60, 1)
    return [ComponentImpact(c, str(status), minutes) for c, status in sorted(public.components.items())]


def change_window(incident: Incident, now: datetime) -> tuple[datetime, datetime]:
    """When a change to the incident's service belongs in its draft: from CHANGES_BEFORE before its
    impact began (the opening alert's own time, else the opening) to its resolution."""
    began = min(incident.started_at, incident.created_at) if incident.started_at else incident.created_at
    return began - CHANGES_BEFORE, incident.resolved_at or now


def draft_context(
    incident: Incident,
    timeline: Iterable[TimelineEntry],
    public: PublicIncident | None,
    now: datetime,
    impact_notes: Sequence[str] = (),
    changes: Iterable[TimelineEntry] = (),
) -> DraftContext:
    entries = sorted((e for e in timeline if e.kind not in QUIET_KINDS), key=lambda e: e.at)
    resolved = incident.resolved_at or now
    since, until = change_window(incident, now)
    return DraftContext(
        incident=incident,
        timeline=entries,
        people=people_of(incident, entries),
        durations=durations(incident, entries),
        components=component_impacts(public, incident.resolved_at),
        owner=owner_of(incident),
        due=resolved + DUE_AFTER,
        impact_notes=tuple(impact_notes),
        changes=tuple(sorted((c for c in changes if since <= c.at <= until), key=lambda c: c.at)),
    )

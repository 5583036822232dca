"""What the HTML templates show, computed from a snapshot: rows of components with uptime bars, incidents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from klaxon.domain.statuspage.models import (
    Component,
    ComponentGroup,
    ComponentStatus,
    Impact,
    Maintenance,
    MaintenanceStatus,
    PublicIncident,
    PublicStatus,
    Snapshot,
)
from klaxon.domain.statuspage.status import maintenance_status, worst
from klaxon.domain.statuspage.templates import IMPACT_WORDS, format_duration
from klaxon.domain.statuspage.uptime import Day, uptime

UPTIME_DAYS = 90
PAST_DAYS = 7

# A symbol beside every status word, so that colour is never the only cue.
ICONS = {
    ComponentStatus.OPERATIONAL: "✓",
    ComponentStatus.UNDER_MAINTENANCE: "◆",
    ComponentStatus.DEGRADED_PERFORMANCE: "▲",
    ComponentStatus.PARTIAL_OUTAGE: "▲",
    ComponentStatus.MAJOR_OUTAGE: "✕",
}
IMPACT_LABELS = {
    Impact.NONE: "No impact",
    Impact.MINOR: "Minor impact",
    Impact.MAJOR: "Major impact",
    Impact.CRITICAL: "Critical impact",
    Impact.MAINTENANCE: "Maintenance",
}


@dataclass(frozen=True)
class Bar:
    """A run of days in one status on the uptime bar, in day units (x from 0 = the oldest day)."""

    x: int
    width: int
    status: ComponentStatus
    title: str | None


@dataclass(frozen=True)
class ComponentView:
    id: str
    name: str
    description: str | None
    status: ComponentStatus
    bars: tuple[Bar, ...]
    uptime: str


@dataclass(frozen=True)
class Row:
    """A top-level line of the component list: a component alone, or a group with its members."""

    status: ComponentStatus
    component: ComponentView | None = None
    group: ComponentGroup | None = None
    members: tuple[ComponentView, ...] = ()


@dataclass(frozen=True)
class PastDay:
    day: date
    incidents: tuple[PublicIncident, ...]


def _day_title(day: Day) -> str:
    """`8 Sep 2026: Major outage, 5 h 20 min down, 2 incidents`: short, since a page has many of them."""
    label = f"{day.day.day} {day.day:%b %Y}: {day.status.label}"
    if day.downtime_s:
        label += f", {format_duration(day.downtime_s)} down"
    count = len(day.incidents)
    return label + (f", {count} incidents" if count > 1 else "")


def bars(days: Sequence[Day]) -> tuple[Bar, ...]:
    """One bar per day that was not operational, each with its title; operational days are the background."""
    return tuple(
        Bar(x, 1, day.status, _day_title(day))
        for x, day in enumerate(days)
        if day.status is not ComponentStatus.OPERATIONAL
    )


def component_views(
    snapshot: Snapshot, statuses: dict[str, ComponentStatus], now: datetime
) -> dict[str, ComponentView]:
    by_component: dict[str, list[PublicIncident]] = {c.id: [] for c in snapshot.components}
    for incident in snapshot.incidents:
        for component in incident.components:
            by_component.setdefault(component, []).append(incident)
    views = {}
    for item in snapshot.components:
        history = uptime(item.id, by_component[item.id], now, UPTIME_DAYS)
        views[item.id] = ComponentView(
            id=item.id,
            name=item.name,
            description=item.description,
            status=statuses.get(item.id, ComponentStatus.OPERATIONAL),
            bars=bars(history.days),
            uptime=history.label,
        )
    return views


def rows(
    components: Iterable[Component], groups: Iterable[ComponentGroup], views: dict[str, ComponentView]
) -> list[Row]:
    """Components in configuration order; a group appears where its first component would."""
    known_groups = {g.id: g for g in groups}
    members: dict[str, list[ComponentView]] = {}
    out: list[Row | str] = []
    for component in components:
        view = views[component.id]
        group = known_groups.get(component.group or "")
        if group is None:
            out.append(Row(status=view.status, component=view))
            continue
        if group.id not in members:
            members[group.id] = []
            out.append(group.id)
        members[group.id].append(view)
    return [
        item
        if isinstance(item, Row)
        else Row(
            status=worst(v.status for v in members[item]),
            group=known_groups[item],
            members=tuple(members[item]),
        )
        for item in out
    ]


def newest_first(incidents: Iterable[PublicIncident]) -> list[PublicIncident]:
    return sorted(incidents, key=lambda i: (i.started_at, i.id), reverse=True)


def past_days(incidents: Iterable[PublicIncident], now: datetime) -> list[PastDay]:
    """The last PAST_DAYS UTC days, today first, each with the incidents that started on it."""
    today = now.astimezone(UTC).date()
    by_day: dict[date, list[PublicIncident]] = {}
    for incident in incidents:
        by_day.setdefault(incident.started_at.astimezone(UTC).date(), []).append(incident)
    days = [today - timedelta(days=n) for n in range(PAST_DAYS)]
    return [PastDay(day, tuple(newest_first(by_day.get(day, [])))) for day in days]


def open_maintenances(windows: Iterable[Maintenance], now: datetime) -> list[Maintenance]:
    """Windows in progress, then upcoming ones, soonest first."""
    found = [w for w in windows if maintenance_status(w, now) is not MaintenanceStatus.COMPLETED]
    return sorted(found, key=lambda w: (w.scheduled_for, w.id))


def state_label(status: PublicStatus | MaintenanceStatus) -> str:
    return status.value.replace("_", " ").capitalize()


def impact_label(incident: PublicIncident) -> str:
    worst_status = worst(incident.components.values())
    return IMPACT_WORDS[worst_status] if incident.components else IMPACT_LABELS[incident.impact]

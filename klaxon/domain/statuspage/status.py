"""Statuses: priority to component status, the worst of several, maintenance windows, the page indicator."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from klaxon.domain.incident.models import Priority
from klaxon.domain.statuspage.models import (
    ComponentStatus,
    Impact,
    Indicator,
    Maintenance,
    MaintenanceStatus,
    Snapshot,
)

DEFAULT_PRIORITY_STATUS: Mapping[Priority, ComponentStatus] = {
    Priority.P1: ComponentStatus.MAJOR_OUTAGE,
    Priority.P2: ComponentStatus.PARTIAL_OUTAGE,
    Priority.P3: ComponentStatus.DEGRADED_PERFORMANCE,
}

_IMPACT = {
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
}
_INDICATOR = {
    ComponentStatus.MAJOR_OUTAGE: Indicator.CRITICAL,
    ComponentStatus.PARTIAL_OUTAGE: Indicator.MAJOR,
    ComponentStatus.DEGRADED_PERFORMANCE: Indicator.MINOR,
}
_IMPACT_INDICATOR = {
    Impact.CRITICAL: Indicator.CRITICAL,
    Impact.MAJOR: Indicator.MAJOR,
    Impact.MINOR: Indicator.MINOR,
}
_INDICATOR_RANK = {indicator: i for i, indicator in enumerate(Indicator)}

# Statuspage's own descriptions of the page status, which aggregators show as they are.
DESCRIPTIONS = {
    Indicator.NONE: "All Systems Operational",
    Indicator.MINOR: "Minor Service Outage",
    Indicator.MAJOR: "Partial System Outage",
    Indicator.CRITICAL: "Major Service Outage",
}
UNDER_MAINTENANCE = "Service Under Maintenance"


def status_for_priority(
    priority: Priority, mapping: Mapping[Priority, ComponentStatus] = DEFAULT_PRIORITY_STATUS
) -> ComponentStatus | None:
    """The status an incident of `priority` gives its components; None: it stays off the page (P4)."""
    return mapping.get(priority)


def worst(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    """The worst of `statuses`; operational when there are none."""
    return max(statuses, key=lambda s: s.rank, default=ComponentStatus.OPERATIONAL)


def impact_of(statuses: Iterable[ComponentStatus]) -> Impact:
    """An incident's impact follows the worst component status it causes (major outage is critical)."""
    return _IMPACT.get(worst(statuses), Impact.NONE)


def maintenance_status(window: Maintenance, now: datetime) -> MaintenanceStatus:
    """Scheduled before the window, in progress during it, completed after it."""
    if now < window.scheduled_for:
        return MaintenanceStatus.SCHEDULED
    if now < window.scheduled_until:
        return MaintenanceStatus.IN_PROGRESS
    return MaintenanceStatus.COMPLETED


def component_statuses(snapshot: Snapshot, now: datetime) -> dict[str, ComponentStatus]:
    """Each component's status now: the worst of its open incidents, else maintenance, else operational."""
    found: dict[str, list[ComponentStatus]] = {c.id: [] for c in snapshot.components}
    for incident in snapshot.incidents:
        if incident.is_open:
            for component, status in incident.components.items():
                found.setdefault(component, []).append(status)
    for window in snapshot.maintenances:
        if maintenance_status(window, now) is MaintenanceStatus.IN_PROGRESS:
            for component in window.components:
                found.setdefault(component, []).append(ComponentStatus.UNDER_MAINTENANCE)
    return {component: worst(statuses) for component, statuses in found.items()}


def page_status(snapshot: Snapshot, now: datetime) -> tuple[Indicator, str]:
    """The page's indicator and description: the worse of the components and the open incidents' impact.

    Maintenance alone keeps the indicator at `none` (only none/minor/major/critical exist) and says so.
    """
    statuses = component_statuses(snapshot, now).values()
    candidates = [_INDICATOR.get(s, Indicator.NONE) for s in statuses]
    candidates += [_IMPACT_INDICATOR.get(i.impact, Indicator.NONE) for i in snapshot.incidents if i.is_open]
    indicator = max(candidates, key=_INDICATOR_RANK.__getitem__, default=Indicator.NONE)
    if indicator is Indicator.NONE and ComponentStatus.UNDER_MAINTENANCE in statuses:
        return indicator, UNDER_MAINTENANCE
    return indicator, DESCRIPTIONS[indicator]

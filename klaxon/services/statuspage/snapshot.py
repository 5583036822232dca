"""What the status page is rendered from: the `statuspage` configuration, the announced maintenance
windows and the public incidents, each component, group and window dated by when it was introduced."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from klaxon.domain.statuspage.introductions import (
    component_key,
    group_key,
    maintenance_window_key,
    status_maintenance_key,
)
from klaxon.domain.statuspage.models import (
    Component,
    ComponentGroup,
    Maintenance,
    Page,
    PublicIncident,
    Snapshot,
)
from klaxon.domain.statuspage.templates import TemplateKind, fill, format_duration, format_utc, join_names

if TYPE_CHECKING:
    from klaxon.config.statuspage import StatusPageConfig
    from klaxon.domain.noise.maintenance import MaintenanceWindow

# A window whose creation was never recorded (stored before Klaxon recorded it) was announced this early.
ASSUMED_NOTICE = timedelta(days=7)


def page_of(config: StatusPageConfig) -> Page:
    slug = re.sub(r"[^a-z0-9]+", "-", config.name.lower()).strip("-") or "status"
    return Page(
        id=slug,
        name=config.name,
        url=config.url,
        time_zone=config.time_zone,
        logo_url=config.logo_url,
        accent_colour=config.accent_colour.lower() if config.accent_colour else None,
        email_subscriptions=config.subscribers.email,
        webhook_subscriptions=config.subscribers.webhooks,
    )


def _window_text(
    config: StatusPageConfig, text: str | None, components: Sequence[str], start: datetime, end: datetime
) -> str:
    names = {c.id: c.name for c in config.components}
    values = {
        "affected_service": join_names(names[c] for c in components),
        "start": format_utc(start),
        "end": format_utc(end),
        "page_name": config.name,
        "duration": format_duration((end - start).total_seconds()),
    }
    return fill(text or config.templates.text(TemplateKind.MAINTENANCE), values)


def maintenances_of(
    config: StatusPageConfig, introduced: Mapping[str, datetime] | None = None
) -> list[Maintenance]:
    """The `statuspage.maintenances` windows, each created when it was announced (`announced_at`), else
    when the configuration that introduced it was applied, else a week before it starts."""
    times = introduced or {}
    return [
        Maintenance(
            id=window.id,
            name=window.name,
            components=window.components,
            scheduled_for=window.start,
            scheduled_until=window.end,
            body=_window_text(config, window.text, window.components, window.start, window.end),
            created_at=window.announced_at
            or times.get(status_maintenance_key(window.id))
            or window.start - ASSUMED_NOTICE,
        )
        for window in config.maintenances
    ]


def announced_maintenances(
    config: StatusPageConfig,
    windows: Sequence[MaintenanceWindow],
    now: datetime,
    introduced: Mapping[str, datetime] | None = None,
) -> list[Maintenance]:
    """Service maintenance windows marked `announce`: their current or next occurrence, on the components
    that follow their services (klaxon/domain/noise/maintenance.py). Each was created when it was stored (API)
    or its configuration applied; one stored before that was recorded, a week before its first start."""
    from klaxon.domain.noise.maintenance import next_occurrence

    times = introduced or {}
    found = []
    for window in windows:
        components = sorted({c for s in window.services for c in config.components_of(s)})
        occurrence = next_occurrence(window, now) if window.announce and components else None
        if occurrence is None:
            continue
        start, end = occurrence
        found.append(
            Maintenance(
                id=f"{window.id}-{start:%Y%m%d%H%M}",
                name=window.name,
                components=components,
                scheduled_for=start,
                scheduled_until=end,
                body=_window_text(config, None, components, start, end),
                created_at=window.created_at
                or times.get(maintenance_window_key(window.id))
                or window.start - ASSUMED_NOTICE,
            )
        )
    return found


def snapshot_of(
    config: StatusPageConfig,
    incidents: list[PublicIncident],
    introduced: Mapping[str, datetime] | None = None,
) -> Snapshot:
    """What the page is rendered from: the configured components and windows, and the public incidents.
    `introduced` dates each component, group and window by the configuration that introduced it."""
    times = introduced or {}
    return Snapshot(
        page=page_of(config),
        components=[
            Component(
                id=c.id,
                name=c.name,
                description=c.description,
                group=c.group,
                created_at=times.get(component_key(c.id)),
            )
            for c in config.components
        ],
        groups=[
            ComponentGroup(
                id=g.id, name=g.name, description=g.description, created_at=times.get(group_key(g.id))
            )
            for g in config.groups
        ],
        incidents=incidents,
        maintenances=maintenances_of(config, times),
    )

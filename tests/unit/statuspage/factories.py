"""Snapshots and public incidents for the status page tests: the demo's components, times fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from klaxon.domain.statuspage.lifecycle import open_incident, post_update
from klaxon.domain.statuspage.models import (
    Component,
    ComponentGroup,
    ComponentStatus,
    Maintenance,
    Page,
    PublicIncident,
    PublicStatus,
    Snapshot,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PAGE = Page(id="acme", name="Acme Status", url="https://status.acme.example/")
COMPONENTS = [
    Component(id="checkout", name="Checkout", description="Basket and orders", group="storefront"),
    Component(id="payments", name="Payments", group="storefront"),
    Component(id="search", name="Search"),
    Component(id="api", name="API"),
]
GROUPS = [ComponentGroup(id="storefront", name="Storefront")]
NAMES = {c.id: c.name for c in COMPONENTS}


def incident(
    n: int = 1,
    components: dict[str, ComponentStatus] | None = None,
    *,
    started: datetime = NOW - timedelta(hours=1),
    resolved_after: timedelta | None = None,
    name: str | None = None,
) -> PublicIncident:
    """An "investigating" public incident, resolved `resolved_after` its start when given."""
    affected = components or {"checkout": ComponentStatus.MAJOR_OUTAGE}
    opened = open_incident(
        public_id=f"p{n:04d}",
        incident_id=f"i{n:04d}",
        title=name or f"Incident {n}",
        body=f"Investigating incident {n}.",
        components=affected,
        names=NAMES,
        before={},
        now=started,
        started_at=started,
        update_id=f"u{n:04d}a",
    )
    if resolved_after is None:
        return opened
    return post_update(
        opened,
        PublicStatus.RESOLVED,
        f"Incident {n} is resolved.",
        now=started + resolved_after,
        update_id=f"u{n:04d}z",
        names=NAMES,
        after={},
    )


def maintenance(start: datetime, hours: int = 2, components: list[str] | None = None) -> Maintenance:
    return Maintenance(
        id=f"mw-{start:%Y%m%d%H}",
        name="Database upgrade",
        components=components or ["payments"],
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=hours),
        body="We are upgrading the payments database.",
        created_at=start - timedelta(days=3),
    )


def snapshot(*incidents: PublicIncident, maintenances: list[Maintenance] | None = None) -> Snapshot:
    return Snapshot(
        page=PAGE,
        components=COMPONENTS,
        groups=GROUPS,
        incidents=list(incidents),
        maintenances=maintenances or [],
    )

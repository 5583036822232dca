"""What a status page shows: components, public incidents with their updates, maintenance windows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from klaxon.domain.model import Model


class ComponentStatus(StrEnum):
    """A component's state, in Statuspage's words."""

    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"

    @property
    def rank(self) -> int:
        """How bad it is: a component shows the worst status any open incident or window gives it."""
        return _RANK[self]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


_RANK = {status: i for i, status in enumerate(ComponentStatus)}


class PublicStatus(StrEnum):
    """The status of a public incident (Statuspage's incident status)."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"

    @property
    def is_open(self) -> bool:
        return self not in (PublicStatus.RESOLVED, PublicStatus.POSTMORTEM)


class Impact(StrEnum):
    """How bad an incident is for customers; `maintenance` only for maintenance windows."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


class Indicator(StrEnum):
    """The whole page's state (status.json `indicator`)."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class MaintenanceStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


class Page(Model):
    """The page itself: `url` is where the public reaches it (feeds need absolute links). `logo_url` and
    `accent_colour` brand it; the two `*_subscriptions` say which subscriptions the backend takes."""

    id: str = "klaxon"
    name: str = "Status"
    url: str = "http://127.0.0.1:8080/status/"
    time_zone: str = "Etc/UTC"
    logo_url: str | None = None
    accent_colour: str | None = None  # `#rrggbb`
    email_subscriptions: bool = False
    webhook_subscriptions: bool = False


class ComponentGroup(Model):
    """A heading of components; `created_at` is when the configuration that introduced it was applied."""

    id: str
    name: str
    description: str | None = None
    created_at: datetime | None = None


class Component(Model):
    """Something customers use; `group` is a ComponentGroup id. `created_at` is when the configuration
    revision that introduced it was applied (None: applied before Klaxon recorded that)."""

    id: str
    name: str
    description: str | None = None
    group: str | None = None
    created_at: datetime | None = None


class AffectedComponent(Model):
    """A component whose status an update changed (Statuspage's `affected_components`)."""

    code: str
    name: str
    old_status: ComponentStatus
    new_status: ComponentStatus


class StatusUpdate(Model):
    """One public message on an incident, with the status it moved the incident to."""

    id: str
    status: PublicStatus
    body: str
    created_at: datetime
    affected_components: list[AffectedComponent] = Field(default_factory=list)


MAX_PUBLIC_POSTMORTEM = 20_000  # characters, Markdown


class PublicIncident(Model):
    """An incident as the public sees it; `incident_id` is the Klaxon incident behind it.

    `components` holds the status each affected component has while the incident is open.
    """

    id: str
    incident_id: str
    name: str
    status: PublicStatus
    impact: Impact
    components: dict[str, ComponentStatus]
    created_at: datetime
    updated_at: datetime
    started_at: datetime
    monitoring_at: datetime | None = None
    resolved_at: datetime | None = None
    updates: list[StatusUpdate] = Field(default_factory=list)
    # The customer-facing post-mortem, posted only on explicit request (as Statuspage's incident has it).
    postmortem_body: str | None = Field(default=None, max_length=MAX_PUBLIC_POSTMORTEM)
    postmortem_published_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def open_during(self, start: datetime, end: datetime) -> bool:
        return self.started_at < end and (self.resolved_at is None or self.resolved_at > start)


class Maintenance(Model):
    """A planned window: its components are `under_maintenance` between the two times."""

    id: str
    name: str
    components: list[str]
    scheduled_for: datetime
    scheduled_until: datetime
    body: str
    created_at: datetime


class Snapshot(Model):
    """Everything the page is rendered from: configuration plus every public incident."""

    page: Page = Field(default_factory=Page)
    components: list[Component] = Field(default_factory=list)
    groups: list[ComponentGroup] = Field(default_factory=list)
    incidents: list[PublicIncident] = Field(default_factory=list)
    maintenances: list[Maintenance] = Field(default_factory=list)

"""The incident and alert models every part of Klaxon speaks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from klaxon.domain.model import Model
from klaxon.domain.runbooks.models import IncidentRunbook


class Severity(StrEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Urgency(StrEnum):
    HIGH = "high"
    LOW = "low"


ROLES = ("commander", "comms", "scribe")  # incident roles, as incident.io and Rootly name them


class IncidentStatus(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"

    @property
    def is_open(self) -> bool:
        return self is not IncidentStatus.RESOLVED


class AlertAction(StrEnum):
    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class Link(Model):
    href: str
    text: str | None = None


class Image(Model):
    """An image an Events v2 sender attached (a graph, say), optionally linking somewhere."""

    src: str
    href: str | None = None
    alt: str | None = None


class AlertInstance(Model):
    """One alert inside a group (an Alertmanager alert), known by its fingerprint."""

    fingerprint: str
    status: str  # "firing" | "resolved", as the source said it
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    generator_url: str | None = None


class Alert(Model):
    """A normalised alert: what any source said, in one shape, ready for routing."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: str
    action: AlertAction
    dedup_key: str
    service: str
    integration: str
    source_kind: str
    received_at: datetime
    summary: str | None = None
    source: str | None = None
    severity: Severity | None = None
    timestamp: datetime | None = None
    component: str | None = None
    group: str | None = None
    class_: str | None = Field(default=None, alias="class")
    custom_details: Any = None
    links: list[Link] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    instances: list[AlertInstance] = Field(default_factory=list)
    drill: bool = False  # a fire drill: marked in every message, never on the status page
    drill_time_scale: float = Field(default=1.0, ge=1.0, le=3600.0)  # a drill's waits run this much faster
    escalation_policy: str | None = None  # walk this policy instead of the service's (drills)
    routing_rule: str | None = None  # the integration's routing rule that matched, if any
    priority: Priority | None = None  # set by a routing rule; else the incident's comes from severity
    urgency: Urgency | None = None  # set by a routing rule; else it follows the priority


class Incident(Model):
    """An incident: one problem, however many alerts told us about it."""

    id: str
    number: int
    title: str
    service: str
    priority: Priority
    urgency: Urgency
    status: IncidentStatus
    dedup_key: str
    alert_count: int = 1
    integration: str | None = None
    source: str | None = None
    severity: Severity | None = None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None  # the opening alert's own time (its startsAt, timestamp), if it said
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    last_alert_at: datetime | None = None
    last_alert_id: str | None = None
    first_alert_id: str | None = None  # the alert that opened it: its redelivery re-announces the trigger
    # The redelivery guard: ids of the incident's recent alerts (dedup.memory_slot); internal, never shown.
    recent_alert_ids: SkipJsonSchema[frozenset[str]] = Field(default_factory=frozenset, exclude=True)
    details: Any = None
    details_ref: str | None = None  # details too large for the incident record live in the payload store
    # Links, images, alerts, labels or text cut from the record (domain.incident.bounds): the full ones.
    attachments_ref: str | None = None
    details_note: str | None = None  # on reading: why details or attachments are missing ("no longer stored")
    links: list[Link] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    alerts: dict[str, AlertInstance] = Field(default_factory=dict)
    drill: bool = False
    drill_time_scale: float = Field(default=1.0, ge=1.0, le=3600.0)  # a drill's waits run this much faster
    routing_rule: str | None = None  # the routing rule that matched the alert which opened it
    escalation_policy: str | None = None  # set for drills and reassignment; else the service's policy
    escalation_round: int = 0  # bumped when escalation restarts (re-trigger, escalate now, reassign)
    escalation_from_step: int = 0  # where the current round starts ("escalate now" skips ahead)
    labels: dict[str, str] = Field(default_factory=dict)  # the first alert's (a group's: its group_by labels)
    grouped: bool = False  # opened by a service's group_by: resolves when every alert in `alerts` has
    revision: int = 0  # bumped by every alert added: resolving a group's last alert is conditional on it
    maintenance_window: str | None = None  # opened inside this maintenance window
    inhibited_by: str | None = None  # opened while this (source) incident was open
    muted_urgency: Urgency | None = None  # while muted: the urgency it pages with once released
    runbook: IncidentRunbook | None = None  # chosen when it opened (domain.runbooks.choice)
    # Who holds each incident role (`commander`, `comms`, `scribe`): a user id, or `slack:<id>`.
    roles: dict[str, str] = Field(default_factory=dict)


class TimelineEntry(Model):
    """One line of an incident's (or a service's) audit history."""

    subject: str  # incident id, or "service:<name>" for change events
    at: datetime
    kind: str
    actor: str
    message: str
    data: dict[str, Any] = Field(default_factory=dict)
    source: str = "klaxon"  # where it happened: "klaxon" (the platform, its API, pages), "slack"
    # Set for an entry copied from elsewhere (a Slack message: `slack:<channel>:<ts>`): the same ref at
    # the same time is one entry, written again when the original is edited, removed when it is deleted.
    ref: str | None = None


def changes_subject(service: str) -> str:
    """The timeline subject a service's change events are kept under."""
    return f"service:{service}"


def web_links(links: object) -> list[str]:
    """The http(s) addresses among a change event's stored links (`data["links"]`) that can stand in
    `<...>` (Markdown's, Slack's): a sender's other text (a newline, a `>`) would write lines of its own
    into a draft published elsewhere, or markup into a chat."""
    found = [link.get("href") for link in links if isinstance(link, dict)] if isinstance(links, list) else []
    return [
        href
        for href in found
        if isinstance(href, str)
        and href.startswith(("https://", "http://"))
        and not any(c.isspace() or c in "<>|" for c in href)
    ]


class ChangeEvent(Model):
    """A PagerDuty change event: kept on the service's timeline (`changes_subject`), never paging."""

    id: str
    service: str
    integration: str
    summary: str
    source: str | None = None
    timestamp: datetime | None = None
    received_at: datetime
    custom_details: Any = None
    links: list[Link] = Field(default_factory=list)

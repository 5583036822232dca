"""Every event on the Klaxon bus: names, detail schemas, and the patterns rules match on.

One definition: the CDK rules (infra/) and the local runtime (klaxon/local) both read SUBSCRIPTIONS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel

from klaxon.domain.incident.models import Alert, ChangeEvent, Incident, IncidentStatus, Priority, Urgency
from klaxon.domain.model import Model

SOURCE = "klaxon"


class DetailType(StrEnum):
    ALERT_RECEIVED = "Alert Received"
    CHANGE_RECEIVED = "Change Received"
    INCIDENT_TRIGGERED = "Incident Triggered"
    INCIDENT_ACKNOWLEDGED = "Incident Acknowledged"
    INCIDENT_RESOLVED = "Incident Resolved"
    INCIDENT_UPDATED = "Incident Updated"
    STATUS_PAGE_UPDATED = "Status Page Updated"
    STATUS_UPDATE_POSTED = "Status Update Posted"
    STATUS_SUBSCRIBER_ADDED = "Status Subscriber Added"
    MAINTENANCE_WINDOW_CHANGED = "Maintenance Window Changed"
    SCHEDULE_CHANGED = "Schedule Changed"
    POSTMORTEM_PUBLISHED = "Postmortem Published"
    ACTION_ITEMS_ADDED = "Action Items Added"


# Why an "Incident Updated" was published, besides an alert joining or leaving a group.
ROLE_ASSIGNED = "role assigned"
PRIORITY_CHANGED = "priority changed"

INCIDENT_DETAIL_TYPES = (
    DetailType.INCIDENT_TRIGGERED,
    DetailType.INCIDENT_ACKNOWLEDGED,
    DetailType.INCIDENT_RESOLVED,
    DetailType.INCIDENT_UPDATED,
)


class AlertReceived(Model):
    """An accepted alert, normalised by ingest. Large alerts travel by reference (`payload_ref`)."""

    alert: Alert | None = None
    payload_ref: str | None = None


class ChangeReceived(Model):
    change: ChangeEvent


class IncidentSnapshot(Model):
    """What subscribers need of an incident; bulky fields (details, alerts) stay in the table."""

    id: str
    number: int
    title: str
    service: str
    priority: Priority
    urgency: Urgency
    status: IncidentStatus
    dedup_key: str
    alert_count: int
    created_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    drill: bool = False
    escalation_round: int = 0
    escalation_policy: str | None = None
    maintenance_window: str | None = None  # opened inside this maintenance window
    inhibited_by: str | None = None  # opened while this incident was open
    muted_urgency: Urgency | None = None  # set while muted: it pages nobody until released

    @classmethod
    def of(cls, incident: Incident) -> IncidentSnapshot:
        return cls.model_validate(incident.model_dump(include=set(cls.model_fields)))


class IncidentChanged(Model):
    """Detail of every "Incident …" event: the incident after the change, who did it, and why."""

    incident: IncidentSnapshot
    actor: str
    reason: str


@dataclass(frozen=True)
class IncidentEvent:
    """The event an incident write carries: written in the same request as the change (the outbox) and
    published once that has committed, with the incident as written (klaxon.services.incident.outbox)."""

    detail_type: DetailType
    actor: str
    reason: str

    def detail(self, incident: Incident) -> IncidentChanged:
        return IncidentChanged(incident=IncidentSnapshot.of(incident), actor=self.actor, reason=self.reason)


class StatusPageUpdated(Model):
    """A person posted a status update (or asked for a publish: both None); the page must be rendered."""

    incident_id: str | None = None
    status: str | None = None


class StatusUpdatePosted(Model):
    """A public update was recorded on a status incident (`incident_id`: the Klaxon incident): notify."""

    incident_id: str
    update_id: str
    status: str


class StatusSubscriberAdded(Model):
    """An email address asked to subscribe (again): the confirmation email goes out if it is still pending."""

    subscriber_id: str  # never the address: the bus and its archive carry no personal data


class MaintenanceWindowChanged(Model):
    """A maintenance window was added or removed through the API: an announced one changes the page."""

    window_id: str
    change: Literal["added", "removed"]
    announce: bool


class ScheduleChanged(Model):
    """An override was added to or removed from a schedule: who is on call may have changed."""

    schedule_id: str


class PostmortemPublished(Model):
    """A post-mortem was marked published (again): it goes to the places the configuration names."""

    incident_id: str


class ActionItemsAdded(Model):
    """Action items were added to a post-mortem to be filed at once (`klaxon action add`)."""

    incident_id: str


DETAIL_SCHEMAS: dict[DetailType, type[BaseModel]] = {
    DetailType.ALERT_RECEIVED: AlertReceived,
    DetailType.CHANGE_RECEIVED: ChangeReceived,
    **{t: IncidentChanged for t in INCIDENT_DETAIL_TYPES},
    DetailType.STATUS_PAGE_UPDATED: StatusPageUpdated,
    DetailType.STATUS_UPDATE_POSTED: StatusUpdatePosted,
    DetailType.STATUS_SUBSCRIBER_ADDED: StatusSubscriberAdded,
    DetailType.MAINTENANCE_WINDOW_CHANGED: MaintenanceWindowChanged,
    DetailType.SCHEDULE_CHANGED: ScheduleChanged,
    DetailType.POSTMORTEM_PUBLISHED: PostmortemPublished,
    DetailType.ACTION_ITEMS_ADDED: ActionItemsAdded,
}


def pattern(*detail_types: DetailType) -> dict[str, Any]:
    """The EventBridge pattern matching Klaxon events of the given detail types."""
    return {"source": [SOURCE], "detail-type": [str(t) for t in detail_types]}


@dataclass(frozen=True)
class QueueDelivery:
    """The rule puts its events in an SQS queue, which the target function drains in batches (Lambda's
    event source mapping), instead of invoking the function once per event.

    A batch of 10 needs no batching window (a larger one does, and would hold a lone alert up to a second
    before its page). The function reports the messages it failed; each is received again after the
    visibility timeout, and after `max_receives` it waits in the queue's dead-letter queue."""

    batch_size: int = 10
    max_receives: int = 5
    visibility_timeout_s: int = 180  # six times the function's timeout, as AWS advises


@dataclass(frozen=True)
class Subscription:
    """A bus rule: events matching `pattern` go to `target`, a function or state machine (klaxon.topology),
    directly or, with `queue`, through an SQS queue the function drains in batches."""

    name: str
    pattern: dict[str, Any]
    target: str
    description: str
    target_kind: Literal["function", "state_machine"] = "function"
    queue: QueueDelivery | None = None


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription(
        name="route-alerts",
        pattern=pattern(DetailType.ALERT_RECEIVED, DetailType.CHANGE_RECEIVED),
        target="router",
        description="Dedup, group and turn accepted alerts into incidents",
        # In batches: a storm of alerts is a few invocations, not one each (issue 14 §6).
        queue=QueueDelivery(),
    ),
    Subscription(
        name="start-escalation",
        # High urgency escalates; a P3/P4 is told once by its policy's low-urgency channels, if it names
        # any. A muted P1/P2 (low urgency while muted) starts nothing: its release triggers it again, and
        # its run must be free to start then under the incident's own name.
        pattern={
            **pattern(DetailType.INCIDENT_TRIGGERED),
            "detail": {
                "incident": {"$or": [{"urgency": ["high"]}, {"urgency": ["low"], "priority": ["P3", "P4"]}]}
            },
        },
        target="escalation",
        target_kind="state_machine",
        description="Start the incident's escalation (one execution per incident, named by its id)",
    ),
    Subscription(
        name="stop-escalation",
        pattern=pattern(DetailType.INCIDENT_ACKNOWLEDGED, DetailType.INCIDENT_RESOLVED),
        target="escalation_stop",
        description="Stop the incident's escalation the moment it is acknowledged or resolved",
    ),
    Subscription(
        name="publish-status-page",
        pattern=pattern(
            DetailType.INCIDENT_TRIGGERED,
            DetailType.INCIDENT_ACKNOWLEDGED,
            DetailType.INCIDENT_RESOLVED,
            DetailType.STATUS_PAGE_UPDATED,
            DetailType.MAINTENANCE_WINDOW_CHANGED,
        ),
        target="statuspage_publish",
        description="Open, resolve and publish public status incidents (P4 and drills are ignored in code); "
        "publish when a maintenance window is scheduled or removed",
    ),
    Subscription(
        name="notify-status-subscribers",
        pattern=pattern(DetailType.STATUS_UPDATE_POSTED, DetailType.STATUS_SUBSCRIBER_ADDED),
        target="statuspage_notify",
        description="Email and webhook subscribers get each public update once; new addresses a confirmation",
    ),
    Subscription(
        name="sync-chat-rooms",
        # A public update too: the room may open before the status page's incident (both follow Incident
        # Triggered), and its summary's SLA budget lines come from that incident's components.
        pattern=pattern(
            DetailType.INCIDENT_TRIGGERED,
            DetailType.INCIDENT_ACKNOWLEDGED,
            DetailType.INCIDENT_RESOLVED,
            DetailType.STATUS_UPDATE_POSTED,
        ),
        target="chat_sync",
        description="Open significant incidents' chat rooms; keep each room's summary and card current",
    ),
    Subscription(
        name="sync-chat-room-changes",
        # Only what the summary shows: each duplicate alert of a storm is an "Incident Updated" too.
        pattern={
            **pattern(DetailType.INCIDENT_UPDATED),
            "detail": {"reason": [ROLE_ASSIGNED, PRIORITY_CHANGED]},
        },
        target="chat_sync",
        description="Show a changed priority or role in the incident's chat room summary",
    ),
    Subscription(
        name="draft-postmortems",
        pattern=pattern(DetailType.INCIDENT_RESOLVED),
        target="postmortem_draft",
        description="Write a resolved incident's post-mortem draft (priorities in the config, not drills)",
    ),
    Subscription(
        name="publish-postmortems",
        pattern=pattern(DetailType.POSTMORTEM_PUBLISHED),
        target="postmortem_draft",
        description="Put a published post-mortem where the configuration says (a GitHub pull request)",
    ),
    Subscription(
        name="file-action-items",
        pattern=pattern(DetailType.POSTMORTEM_PUBLISHED, DetailType.ACTION_ITEMS_ADDED),
        target="action_sync",
        description="File a published post-mortem's action items (or ones just added) in their tracker",
    ),
    Subscription(
        name="sync-oncall-groups",
        pattern=pattern(DetailType.SCHEDULE_CHANGED),
        target="chat_sync",
        description="Keep a schedule's chat user group (@checkout-oncall) to who is on call, after overrides",
    ),
    Subscription(
        name="release-inhibited",
        pattern=pattern(DetailType.INCIDENT_RESOLVED),
        target="router",
        description="A resolved incident releases those it inhibited: still triggered, they page now",
    ),
)

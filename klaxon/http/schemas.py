"""Request and response bodies of the HTTP API, as pydantic models so OpenAPI is generated from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from klaxon.domain.incident.models import Incident, TimelineEntry
from klaxon.domain.model import Model


class IncidentList(Model):
    incidents: list[Incident]
    next: str | None = Field(
        default=None, description="Pass as `next` to get the following page; null at the end"
    )


class Timeline(Model):
    """A page of a timeline, oldest first: an incident's holds every message of its war room."""

    timeline: list[TimelineEntry]
    next: str | None = Field(
        default=None, description="Pass as `next` to get the following page; null at the end"
    )


class ChatMessageOut(Model):
    id: str = Field(description="The message's id in its room (Slack: its `ts`).")
    author: str | None = None
    text: str
    at: datetime
    pinned: bool = False


class ChatRoomOut(Model):
    name: str | None = Field(description="The room's name (`inc-<date>-<number>-<slug>`).")
    room: str | None = Field(
        description="Its id in the chat product (Slack: the channel id; locally `log:<name>`)."
    )
    invited: list[str] = Field(default_factory=list, description="Chat users invited so far.")
    archive_at: datetime | None = None
    archived: bool = False
    notes: list[str] = Field(default_factory=list, description="What could not be done (a user not found).")


class IncidentChat(Model):
    """The incident's chat room and a page of its messages (without Slack: what Klaxon would have said)."""

    room: ChatRoomOut | None = Field(description="None: the incident has no room (not a significant one).")
    messages: list[ChatMessageOut]
    next: str | None = Field(default=None, description="Cursor of the next page of messages.")


class Health(Model):
    status: Literal["ok"] = "ok"
    version: str


# Documentation-only shapes: these bodies are validated by hand, field by field, to answer exactly as
# PagerDuty and Alertmanager clients expect; the models below only describe them in the OpenAPI document.
class PagerDutyPayload(Model):
    summary: str = Field(max_length=1024)
    source: str
    severity: Literal["critical", "error", "warning", "info"]
    timestamp: str | None = None
    component: str | None = None
    group: str | None = None
    class_: str | None = Field(default=None, alias="class")
    custom_details: Any = None


class PagerDutyLink(Model):
    href: str
    text: str | None = None


class PagerDutyEvent(Model):
    routing_key: str = Field(description="The integration key")
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: str | None = Field(
        default=None, max_length=255, description="Required for acknowledge/resolve"
    )
    payload: PagerDutyPayload | None = Field(default=None, description="Required for trigger")
    links: list[PagerDutyLink] = Field(default_factory=list)
    client: str | None = None
    client_url: str | None = None


class PagerDutyChangeEvent(Model):
    routing_key: str
    payload: dict[str, Any] = Field(description="summary (required), source, timestamp, custom_details")
    links: list[PagerDutyLink] = Field(default_factory=list)


class PagerDutyAccepted(Model):
    status: Literal["success"] = "success"
    message: str = "Event processed"
    dedup_key: str


class ApiError(Model):
    """Every refusal of the API: what is wrong, and each problem on its own line when there are several."""

    message: str
    errors: list[str] | None = None


class IntegrationAccepted(Model):
    """A webhook taken: `dedup_key` when it became an alert (not when ignored, dropped or repeated)."""

    status: Literal["success"] = "success"
    message: str
    dedup_key: str | None = None


class PagerDutyInvalid(Model):
    status: Literal["invalid event"] = "invalid event"
    message: str
    errors: list[str]


class PagerDutyThrottled(Model):
    """An integration key over its rate limit (429). `status` and `errors` are absent when API Gateway's own
    throttle answered (`{"message": "Too Many Requests"}`)."""

    status: Literal["throttle exceeded"] = "throttle exceeded"
    message: str
    errors: list[str] = []


class AlertmanagerWebhook(Model):
    """Alertmanager's webhook body, version 4 (see Alertmanager's documentation)."""

    version: Literal["4"]
    status: Literal["firing", "resolved"]
    groupKey: str
    alerts: list[dict[str, Any]]
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str | None = None

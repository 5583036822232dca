"""A page: one message to one person on one channel, and what came of sending it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from klaxon.domain.incident.models import Priority
from klaxon.domain.paging.policy import Channel


class Page(BaseModel):
    """Everything a channel needs to word and deliver one notification (no lookups at send time)."""

    model_config = ConfigDict(frozen=True)

    incident_id: str
    incident_number: int
    title: str
    service: str
    priority: Priority
    user: str
    user_name: str
    channel: Channel
    address: str
    step: int
    loop: int
    drill: bool = False
    ack_url: str | None = None

    @property
    def idempotency_key(self) -> str:
        """One send per (incident, step, loop, user, channel): a retried step never pages twice."""
        return f"{self.incident_id}|{self.step}|{self.loop}|{self.user}|{self.channel.value}"


class DeliveryStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # already sent by an earlier attempt of the same step


class Notification(BaseModel):
    """The record of a page, as the notifications API returns it."""

    incident_id: str
    step: int
    loop: int
    user: str
    channel: Channel
    to: str
    sent_at: datetime
    status: DeliveryStatus
    provider_message_id: str | None = None
    error: str | None = None
    drill: bool = False

    def page_key(self) -> tuple[str, int, int, str]:
        """One page is one step reaching one person, however many channels it used (push and SMS at
        once are one interruption): the (incident, loop, step, user) it counts as."""
        return (self.incident_id, self.loop, self.step, self.user)


class DeliveryFailed(Exception):
    """The provider refused or could not be reached; the caller retries with backoff, then records it."""

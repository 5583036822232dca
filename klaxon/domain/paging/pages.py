"""A page: one message to one person on one channel, and what came of sending it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import ConfigDict

from klaxon.domain.incident.models import Priority
from klaxon.domain.model import Model
from klaxon.domain.paging.policy import Channel


class Page(Model):
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
    runbook_url: str | None = None  # the incident's runbook (domain.runbooks): a link in the email

    @classmethod
    def notice(
        cls,
        *,
        about: str,
        number: int,
        text: str,
        service: str,
        priority: Priority,
        user: str,
        user_name: str,
        channel: Channel,
        address: str,
    ) -> Page:
        """A one-off notice to a person on one of their channels (a reminder), worded as a page is."""
        return cls(
            incident_id=about,
            incident_number=number,
            title=text,
            service=service,
            priority=priority,
            user=user,
            user_name=user_name,
            channel=channel,
            address=address,
            step=0,
            loop=0,
        )

    @property
    def idempotency_key(self) -> str:
        """One send per (incident, step, loop, user, channel): a retried step never pages twice."""
        return f"{self.incident_id}|{self.step}|{self.loop}|{self.user}|{self.channel.value}"


def distinct(pages: Iterable[Page]) -> list[Page]:
    """One page per idempotency key, in order: a page due twice in a tick (a channel named twice, two
    rules of a person for one channel at one minute) is sent once."""
    return list({page.idempotency_key: page for page in pages}.values())


class DeliveryStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # not sent: the incident was acknowledged or resolved after the page was reserved


# How long a reserved send ("sending") belongs to the attempt that reserved it. A Lambda task cannot run
# longer (60 s timeout), so an older reservation is a crashed sender's and the next attempt may send.
SEND_LEASE = timedelta(seconds=60)
SENDING = "sending"


class Reservation(Model):
    """A page's record before and while it is sent: who reserved it (the tick's claim token) and until
    when; `status` is "sending" until the send's outcome (a DeliveryStatus) replaces it."""

    model_config = ConfigDict(frozen=True)

    status: str
    token: str | None = None
    lease_until: datetime | None = None


def may_send(found: Reservation | None, token: str, now: datetime) -> bool:
    """Whether an attempt holding the tick's claim `token` may send a page whose record is `found`: a page
    never reserved; or one left "sending" by a crashed attempt, either of this same tick (a retried task
    carries its token, and runs only once the failed attempt has ended) or of any run once its lease
    expired. A page whose outcome was recorded (sent, failed, skipped) is never sent again."""
    if found is None:
        return True
    if found.status != SENDING:
        return False
    return found.token == token or found.lease_until is None or found.lease_until <= now


@dataclass(frozen=True)
class ToReserve:
    """A page to reserve for the attempt holding the tick's claim `token`, its lease counted from `now`,
    in the same write as the tick's claim (the first page) or as the result of the page before it."""

    page: Page
    token: str
    now: datetime


# How long an acknowledgement waits, before it is answered, for a page already past its last look at the
# incident to begin: only then can "acknowledged" mean "no page begins after this". The gap between that
# look and the provider call is a few lines; the wait ends as soon as the page's outcome is recorded.
SETTLE_WAIT_SECONDS = 2.0
SETTLE_POLL_SECONDS = 0.02


def in_flight(found: Reservation, now: datetime) -> bool:
    """Whether a page is being sent right now: reserved, its outcome not yet recorded, its lease running
    (a reservation whose lease ran out was a crashed attempt's)."""
    return found.status == SENDING and found.lease_until is not None and found.lease_until > now


class Notification(Model):
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


def result_line(page: Page, notification: Notification) -> tuple[str, str] | None:
    """The timeline's (kind, message) for a page's result: none for a page not sent (`skipped`)."""
    channel = page.channel.value
    if notification.status is DeliveryStatus.SKIPPED:
        return None
    if notification.status is DeliveryStatus.SENT:
        return "notified", f"Paged {page.user_name} by {channel} ({page.address})"
    return "notification failed", f"Could not page {page.user_name} by {channel}: {notification.error}"


class DeliveryFailed(Exception):
    """The provider refused or could not be reached; the caller retries with backoff, then records it."""

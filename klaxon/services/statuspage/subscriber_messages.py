"""What subscribers are told and shown: views, the fan-out's tally, links, webhook payloads, limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import Field

from klaxon.domain.model import Model
from klaxon.domain.statuspage.models import PublicIncident, Snapshot
from klaxon.domain.statuspage.status import component_statuses, page_status
from klaxon.domain.statuspage.subscribers import (
    Delivery,
    Subscriber,
    SubscriberKind,
    SubscriberState,
)
from klaxon.events import DetailType, StatusUpdatePosted

if TYPE_CHECKING:
    from klaxon.config.statuspage import StatusPageConfig
    from klaxon.ports import EventBus

ATTEMPTS = 3  # per delivery, within one run of the function; then it is recorded as failed
BACKOFF_SECONDS = (1.0, 4.0)  # before the second and the third attempt
WRITE_ATTEMPTS = 5  # optimistic-concurrency retries on a subscriber (confirm and unsubscribe at once)
FANOUT_THREADS = 8  # subscribers served at once; each one's updates go out in order
CONFIRM_PATH = "/v1/statuspage/subscribers/confirm/"
UNSUBSCRIBE_PATH = "/v1/statuspage/subscribers/unsubscribe/"
# The payload is Statuspage's incident webhook, documented there; receivers written for it read ours.
DOCUMENTATION = "https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/"
DELIVERY_HEADER = "X-Klaxon-Delivery"  # the update's id: the same for every attempt of one delivery


class SubscriberView(Model):
    """A subscriber as the admin API lists it: never its secret."""

    id: str
    kind: SubscriberKind
    address: str
    state: SubscriberState
    created_at: datetime
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    created_by: str | None = None
    last_delivery: Delivery | None = None

    @classmethod
    def of(cls, subscriber: Subscriber, last: Delivery | None = None) -> SubscriberView:
        return cls.model_validate(subscriber.model_dump(exclude={"secret"}) | {"last_delivery": last})


class WebhookAdded(Model):
    """A new webhook subscriber and its signing secret (an admin can read it again, for a rotation)."""

    subscriber: SubscriberView
    secret: str


class WebhookSecret(Model):
    """A webhook's current signing secret; while the old one still signs too, until when."""

    subscriber_id: str
    secret: str
    previous_valid_until: datetime | None = Field(
        description="until when deliveries also carry a signature under the previous secret"
    )


@dataclass(frozen=True)
class FanOut:
    """What one fan-out did: deliveries planned, sent, failed, and left to a run that claimed them first."""

    planned: int = 0
    delivered: int = 0
    failed: int = 0
    skipped: int = 0


def announcer(bus: EventBus) -> Callable[[PublicIncident], None]:
    """What the status page service calls after recording an update: announce it to the notify function."""

    def announce(incident: PublicIncident) -> None:
        update = incident.updates[-1]
        posted = StatusUpdatePosted(
            incident_id=incident.incident_id, update_id=update.id, status=update.status.value
        )
        bus.publish(DetailType.STATUS_UPDATE_POSTED, posted)

    return announce


def permalink(config: StatusPageConfig, public_id: str) -> str:
    return f"{config.url.rstrip('/')}/incidents/{public_id}.html"


def webhook_payload(
    snapshot: Snapshot, incident: PublicIncident, now: datetime, unsubscribe_url: str
) -> dict[str, Any]:
    """Statuspage's incident webhook body: `meta`, `page` (its indicator now) and `incident`."""
    from statuspage_site.api import StatuspageJson

    indicator, description = page_status(snapshot, now)
    document = StatuspageJson(snapshot, now, component_statuses(snapshot, now))
    return {
        "meta": {"unsubscribe": unsubscribe_url, "documentation": DOCUMENTATION},
        "page": {
            "id": snapshot.page.id,
            "status_indicator": indicator.value,
            "status_description": description,
        },
        "incident": document.incident(incident),
    }


def offers(config: StatusPageConfig, kind: SubscriberKind) -> bool:
    settings = config.subscribers
    return settings.email if kind is SubscriberKind.EMAIL else settings.webhooks

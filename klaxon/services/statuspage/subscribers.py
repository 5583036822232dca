"""Status page subscribers: subscribe (email with double opt-in; webhooks with an API token), confirm,
unsubscribe, and the fan-out that tells every confirmed subscriber of each public update exactly once.

The fan-out runs in the statuspage_notify function on "Status Update Posted", which the status page
service announces right after recording an update. It covers every update of the incident, not only the
announced one, so an update whose announcement was lost goes out with the next; the delivery records
(written before each send) make a repeated event, a retried function and that catching up send nothing
twice.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from klaxon.domain.errors import Conflict
from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.domain.statuspage.models import PublicIncident, Snapshot, StatusUpdate
from klaxon.domain.statuspage.status import component_statuses, page_status
from klaxon.domain.statuspage.subscribers import (
    CONFIRM_LINK_TTL,
    SIGNATURE_HEADER,
    Delivery,
    DeliveryState,
    LinkPurpose,
    Subscriber,
    SubscriberKind,
    SubscriberLinkInvalid,
    SubscriberState,
    check_webhook_url,
    confirmation_email,
    delivery_plan,
    email_subscriber_id,
    incident_as_of,
    make_link_token,
    normalise_email,
    read_link_token,
    unsubscribe_headers,
    update_email,
    webhook_signature,
)
from klaxon.events import DetailType, StatusSubscriberAdded, StatusUpdatePosted
from klaxon.ports.statuspage import EmailSender, SubscriberStore, WebhookPoster

if TYPE_CHECKING:
    from klaxon.config.statuspage import StatusPageConfig
    from klaxon.ports import Clock, EventBus, IdGenerator

ATTEMPTS = 3  # per delivery, within one run of the function; then it is recorded as failed
BACKOFF_SECONDS = (1.0, 4.0)  # before the second and the third attempt
WRITE_ATTEMPTS = 5  # optimistic-concurrency retries on a subscriber (confirm and unsubscribe at once)
FANOUT_THREADS = 8  # subscribers served at once; each one's updates go out in order
CONFIRM_PATH = "/v1/statuspage/subscribers/confirm/"
UNSUBSCRIBE_PATH = "/v1/statuspage/subscribers/unsubscribe/"
# The payload is Statuspage's incident webhook, documented there; receivers written for it read ours.
DOCUMENTATION = "https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/"
DELIVERY_HEADER = "X-Klaxon-Delivery"  # the update's id: the same for every attempt of one delivery


class SubscriberView(BaseModel):
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


class WebhookAdded(BaseModel):
    """A new webhook subscriber and its signing secret, which is shown this once."""

    subscriber: SubscriberView
    secret: str


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


def new_webhook_secret() -> str:
    return f"whsec_{secrets.token_hex(32)}"


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


@dataclass
class SubscriberService:
    store: SubscriberStore
    settings: Callable[[], StatusPageConfig | None]
    public_incident: Callable[[str], PublicIncident | None]  # by the Klaxon incident's id
    snapshot: Callable[[], Snapshot | None]
    email: EmailSender
    webhooks: WebhookPoster
    bus: EventBus
    clock: Clock
    ids: IdGenerator
    secret: Callable[[], bytes]  # signs confirm and unsubscribe links
    public_url: str | None = None  # the API's base URL: links in emails are absolute when it is known
    allow_loopback_http: bool = False  # webhooks to http://127.0.0.1 (klaxon up and tests, never in AWS)
    new_secret: Callable[[], str] = new_webhook_secret
    sleep: Callable[[float], None] = time.sleep
    backoff_s: tuple[float, ...] = BACKOFF_SECONDS
    threads: int = FANOUT_THREADS

    # --- subscribing ---------------------------------------------------------------------------

    def _config(self, kind: SubscriberKind) -> StatusPageConfig:
        config = self.settings()
        if config is None:
            raise Conflict("there is no status page: the configuration has no `statuspage` section")
        if not self._offers(config, kind):
            field = "email" if kind is SubscriberKind.EMAIL else "webhooks"
            raise Conflict(f"{kind.value} subscriptions are turned off (statuspage.subscribers.{field})")
        return config

    @staticmethod
    def _offers(config: StatusPageConfig, kind: SubscriberKind) -> bool:
        settings = config.subscribers
        return settings.email if kind is SubscriberKind.EMAIL else settings.webhooks

    def subscribe_email(self, address: str) -> None:
        """Ask `address` to confirm. Whatever its state, the same happens here, so no caller can tell
        whether it was subscribed: the notify function sends the email only to a pending address."""
        self._config(SubscriberKind.EMAIL)
        email = normalise_email(address)
        subscriber_id = email_subscriber_id(email)
        now = self.clock.now()
        for _ in range(WRITE_ATTEMPTS):
            found = self.store.get(subscriber_id)
            try:
                if found is None:
                    self.store.create(
                        Subscriber(
                            id=subscriber_id,
                            kind=SubscriberKind.EMAIL,
                            address=email,
                            state=SubscriberState.PENDING,
                            created_at=now,
                        )
                    )
                elif found[0].state is SubscriberState.UNSUBSCRIBED:
                    again = {"state": SubscriberState.PENDING, "confirmed_at": None, "unsubscribed_at": None}
                    self.store.replace(found[0].model_copy(update=again), found[1])
            except Conflict:
                continue
            break
        self.bus.publish(
            DetailType.STATUS_SUBSCRIBER_ADDED, StatusSubscriberAdded(subscriber_id=subscriber_id)
        )

    def add_webhook(self, url: str, actor: str) -> WebhookAdded:
        """A webhook added by an API token's holder is active at once; its secret is returned this once."""
        self._config(SubscriberKind.WEBHOOK)
        address = check_webhook_url(url, allow_loopback_http=self.allow_loopback_http)
        now = self.clock.now()
        secret = self.new_secret()
        subscriber = Subscriber(
            id=self.ids.new_id(),
            kind=SubscriberKind.WEBHOOK,
            address=address,
            state=SubscriberState.ACTIVE,
            created_at=now,
            confirmed_at=now,
            created_by=actor,
            secret=secret,
        )
        self.store.create(subscriber)
        return WebhookAdded(subscriber=SubscriberView.of(subscriber), secret=secret)

    def _link(self, path: str, token: str) -> str:
        return f"{(self.public_url or '').rstrip('/')}{path}{token}"

    def confirm_link(self, subscriber_id: str) -> str:
        expires = self.clock.now() + CONFIRM_LINK_TTL
        return self._link(
            CONFIRM_PATH, make_link_token(self.secret(), LinkPurpose.CONFIRM, subscriber_id, expires)
        )

    def unsubscribe_link(self, subscriber_id: str) -> str:
        """Never expires: an unsubscribe link in an old email must still work (RFC 8058)."""
        return self._link(
            UNSUBSCRIBE_PATH, make_link_token(self.secret(), LinkPurpose.UNSUBSCRIBE, subscriber_id)
        )

    def send_confirmation(self, subscriber_id: str) -> bool:
        """Email the confirmation link to a pending address; False (nothing sent) for any other state."""
        config = self.settings()
        found = self.store.get(subscriber_id)
        if config is None or not config.subscribers.email or found is None:
            return False
        subscriber = found[0]
        if subscriber.kind is not SubscriberKind.EMAIL or subscriber.state is not SubscriberState.PENDING:
            return False
        content = confirmation_email(
            config.name, config.url, self.confirm_link(subscriber.id), CONFIRM_LINK_TTL
        )
        attempts, error = self._attempts(
            lambda: self.email.send(subscriber.address, content, {}, config.subscribers.email_from)
        )
        if error is not None:
            raise DeliveryFailed(
                f"confirmation to subscriber {subscriber.id} failed {attempts} times: {error}"
            )
        return True

    def confirm(self, token: str) -> Subscriber:
        """Activate the subscriber of a confirmation link (again: nothing changes)."""
        subscriber_id = read_link_token(self.secret(), token, LinkPurpose.CONFIRM, self.clock.now())
        for _ in range(WRITE_ATTEMPTS):
            found = self.store.get(subscriber_id)
            if found is None or found[0].state is SubscriberState.UNSUBSCRIBED:
                raise SubscriberLinkInvalid("this subscription was cancelled: subscribe again")
            subscriber, version = found
            if subscriber.state is SubscriberState.ACTIVE:
                return subscriber
            confirmed = subscriber.model_copy(
                update={"state": SubscriberState.ACTIVE, "confirmed_at": self.clock.now()}
            )
            try:
                self.store.replace(confirmed, version)
            except Conflict:
                continue
            return confirmed
        raise Conflict(f"subscriber {subscriber_id} kept changing; try again")

    def subscriber_of_unsubscribe_link(self, token: str) -> Subscriber | None:
        """Whom an unsubscribe link is for (None: removed meanwhile); changes nothing."""
        subscriber_id = read_link_token(self.secret(), token, LinkPurpose.UNSUBSCRIBE, self.clock.now())
        found = self.store.get(subscriber_id)
        return None if found is None else found[0]

    def unsubscribe(self, token: str) -> Subscriber | None:
        """Stop everything to the link's subscriber; None when it was removed. Idempotent."""
        subscriber_id = read_link_token(self.secret(), token, LinkPurpose.UNSUBSCRIBE, self.clock.now())
        for _ in range(WRITE_ATTEMPTS):
            found = self.store.get(subscriber_id)
            if found is None:
                return None
            subscriber, version = found
            if subscriber.state is SubscriberState.UNSUBSCRIBED:
                return subscriber
            left = subscriber.model_copy(
                update={"state": SubscriberState.UNSUBSCRIBED, "unsubscribed_at": self.clock.now()}
            )
            try:
                self.store.replace(left, version)
            except Conflict:
                continue
            return left
        raise Conflict(f"subscriber {subscriber_id} kept changing; try again")

    # --- administration ------------------------------------------------------------------------

    def list(self) -> list[SubscriberView]:
        last = self.store.last_deliveries()
        subscribers = sorted(self.store.all(), key=lambda s: (s.created_at, s.id))
        return [SubscriberView.of(s, last.get(s.id)) for s in subscribers]

    def remove(self, subscriber_id: str) -> None:
        self.store.delete(subscriber_id)

    # --- the fan-out ---------------------------------------------------------------------------

    def deliver(self, incident_id: str) -> FanOut:
        """Send every update of the incident's public incident to every subscriber still owed it."""
        config = self.settings()
        incident = self.public_incident(incident_id)
        if config is None or incident is None:
            return FanOut()
        audience = [
            s for s in self.store.all() if s.state is SubscriberState.ACTIVE and self._offers(config, s.kind)
        ]
        if not audience:
            return FanOut()
        recorded = {update.id: self.store.recorded(update.id) for update in incident.updates}
        plan = delivery_plan(incident.updates, audience, recorded)
        if not plan:
            return FanOut()
        snapshot = self.snapshot() or Snapshot()
        by_subscriber: dict[str, list[tuple[StatusUpdate, Subscriber]]] = {}
        for update, subscriber in plan:
            by_subscriber.setdefault(subscriber.id, []).append((update, subscriber))

        def serve(deliveries: list[tuple[StatusUpdate, Subscriber]]) -> list[DeliveryState | None]:
            return [self._deliver(config, snapshot, incident, u, s) for u, s in deliveries]

        with ThreadPoolExecutor(max_workers=max(1, min(self.threads, len(by_subscriber)))) as pool:
            outcomes = [o for done in pool.map(serve, by_subscriber.values()) for o in done]
        return FanOut(
            planned=len(plan),
            delivered=outcomes.count(DeliveryState.DELIVERED),
            failed=outcomes.count(DeliveryState.FAILED),
            skipped=outcomes.count(None),
        )

    def _deliver(
        self,
        config: StatusPageConfig,
        snapshot: Snapshot,
        incident: PublicIncident,
        update: StatusUpdate,
        subscriber: Subscriber,
    ) -> DeliveryState | None:
        claim = Delivery(
            update_id=update.id,
            subscriber_id=subscriber.id,
            incident_id=incident.id,
            state=DeliveryState.SENDING,
            at=self.clock.now(),
        )
        if not self.store.claim(claim):
            return None
        as_of = incident_as_of(incident, update.id)
        unsubscribe = self.unsubscribe_link(subscriber.id)
        send: Callable[[], object]
        if subscriber.kind is SubscriberKind.EMAIL:
            content = update_email(
                config.name,
                as_of,
                update,
                names={c.id: c.name for c in config.components},
                permalink=permalink(config, incident.id),
                unsubscribe_url=unsubscribe,
            )
            sender = config.subscribers.email_from
            send = partial(
                self.email.send, subscriber.address, content, unsubscribe_headers(unsubscribe), sender
            )
        else:
            payload = webhook_payload(snapshot, as_of, self.clock.now(), unsubscribe)
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
            send = partial(self._post, subscriber, update, body)
        attempts, error = self._attempts(send)
        state = DeliveryState.DELIVERED if error is None else DeliveryState.FAILED
        outcome = {"state": state, "attempts": attempts, "error": error, "at": self.clock.now()}
        self.store.record(claim.model_copy(update=outcome))
        return state

    def _post(self, subscriber: Subscriber, update: StatusUpdate, body: bytes) -> int:
        if not subscriber.secret:
            raise DeliveryFailed("webhook: the subscriber has no signing secret")
        signature = webhook_signature(subscriber.secret, body, int(self.clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature,
            DELIVERY_HEADER: update.id,
        }
        return self.webhooks.post(subscriber.address, body, headers)

    def _attempts(self, send: Callable[[], object]) -> tuple[int, str | None]:
        """Up to ATTEMPTS tries with backoff: (tries made, the last error or None when one worked)."""
        error = None
        for attempt in range(1, ATTEMPTS + 1):
            try:
                send()
            except DeliveryFailed as exc:
                error = str(exc)
            else:
                return attempt, None
            if attempt < ATTEMPTS:
                self.sleep(self.backoff_s[min(attempt - 1, len(self.backoff_s) - 1)])
        return ATTEMPTS, error

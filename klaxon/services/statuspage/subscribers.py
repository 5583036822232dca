"""Status page subscribers: subscribe (email with double opt-in; webhooks with an API token), confirm,
unsubscribe, and administration. Telling them of each update is the fan-out's (fanout.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from klaxon.domain.access.rotation import verified
from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.domain.statuspage.models import PublicIncident, Snapshot
from klaxon.domain.statuspage.subscribers import (
    CONFIRM_LINK_TTL,
    LinkPurpose,
    Subscriber,
    SubscriberKind,
    SubscriberLinkExpired,
    SubscriberLinkInvalid,
    SubscriberState,
    check_webhook_url,
    confirmation_email,
    email_subscriber_id,
    make_link_token,
    normalise_email,
    read_link_token,
    webhook_secret,
)
from klaxon.events import DetailType, StatusSubscriberAdded
from klaxon.ports.statuspage import EmailSender, SubscriberStore, WebhookPoster

if TYPE_CHECKING:
    from klaxon.config.statuspage import StatusPageConfig
    from klaxon.ports import Clock, EventBus, IdGenerator, Keyring

from klaxon.services.statuspage.fanout import SubscriberFanOut
from klaxon.services.statuspage.subscriber_messages import (
    BACKOFF_SECONDS,
    CONFIRM_PATH,
    FANOUT_THREADS,
    UNSUBSCRIBE_PATH,
    WRITE_ATTEMPTS,
    SubscriberView,
    WebhookAdded,
    WebhookSecret,
    announcer,
    offers,
)

__all__ = ["SubscriberService", "SubscriberView", "WebhookAdded", "WebhookSecret", "announcer"]


@dataclass
class SubscriberService(SubscriberFanOut):
    store: SubscriberStore
    settings: Callable[[], StatusPageConfig | None]
    public_incident: Callable[[str], PublicIncident | None]  # by the Klaxon incident's id
    snapshot: Callable[[], Snapshot | None]
    email: EmailSender
    webhooks: WebhookPoster
    bus: EventBus
    clock: Clock
    ids: IdGenerator
    keys: Keyring  # signs confirm and unsubscribe links
    webhook_keys: Keyring  # the deployment's webhook secret, each webhook's own is derived from
    public_url: str | None = None  # the API's base URL: links in emails are absolute when it is known
    allow_loopback_http: bool = False  # webhooks to http://127.0.0.1 (klaxon up and tests, never in AWS)
    sleep: Callable[[float], None] = time.sleep
    backoff_s: tuple[float, ...] = BACKOFF_SECONDS
    threads: int = FANOUT_THREADS

    # --- subscribing ---------------------------------------------------------------------------

    def _config(self, kind: SubscriberKind) -> StatusPageConfig:
        config = self.settings()
        if config is None:
            raise Conflict("there is no status page: the configuration has no `statuspage` section")
        if not offers(config, kind):
            field = "email" if kind is SubscriberKind.EMAIL else "webhooks"
            raise Conflict(f"{kind.value} subscriptions are turned off (statuspage.subscribers.{field})")
        return config

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
        self.webhooks.vet(address)  # and again at each delivery: DNS may answer otherwise by then
        now = self.clock.now()
        subscriber = Subscriber(
            id=self.ids.new_id(),
            kind=SubscriberKind.WEBHOOK,
            address=address,
            state=SubscriberState.ACTIVE,
            created_at=now,
            confirmed_at=now,
            created_by=actor,
        )
        self.store.create(subscriber)
        secret = webhook_secret(self.webhook_keys.current(), subscriber.id)  # derived: nothing stored
        return WebhookAdded(subscriber=SubscriberView.of(subscriber), secret=secret)

    def webhook_secret_of(self, subscriber_id: str) -> WebhookSecret:
        """A webhook's current signing secret (after a rotation of the webhook secret, its new one)."""
        found = self.store.get(subscriber_id)
        if found is None or found[0].kind is not SubscriberKind.WEBHOOK:
            raise NotFound(f"no webhook subscriber {subscriber_id}")
        signing = self.webhook_secrets(found[0])
        until = self.webhook_keys.versions().previous_until if len(signing) > 1 else None
        return WebhookSecret(subscriber_id=subscriber_id, secret=signing[0], previous_valid_until=until)

    def _link(self, path: str, token: str) -> str:
        return f"{(self.public_url or '').rstrip('/')}{path}{token}"

    def confirm_link(self, subscriber_id: str) -> str:
        expires = self.clock.now() + CONFIRM_LINK_TTL
        return self._link(
            CONFIRM_PATH, make_link_token(self.keys.current(), LinkPurpose.CONFIRM, subscriber_id, expires)
        )

    def unsubscribe_link(self, subscriber_id: str) -> str:
        """Never expires: an unsubscribe link in an old email must still work (RFC 8058)."""
        return self._link(
            UNSUBSCRIBE_PATH, make_link_token(self.keys.current(), LinkPurpose.UNSUBSCRIBE, subscriber_id)
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

    def _read(self, token: str, purpose: LinkPurpose) -> str:
        """The subscriber a confirm or unsubscribe link names, under any secret that still verifies."""
        now = self.clock.now()
        return verified(
            self.keys.accepted(),
            lambda key: read_link_token(key, token, purpose, now),
            SubscriberLinkInvalid,
            SubscriberLinkExpired,
        )

    def confirm(self, token: str) -> Subscriber:
        """Activate the subscriber of a confirmation link (again: nothing changes)."""
        subscriber_id = self._read(token, LinkPurpose.CONFIRM)
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
        subscriber_id = self._read(token, LinkPurpose.UNSUBSCRIBE)
        found = self.store.get(subscriber_id)
        return None if found is None else found[0]

    def unsubscribe(self, token: str) -> Subscriber | None:
        """Stop everything to the link's subscriber; None when it was removed. Idempotent."""
        subscriber_id = self._read(token, LinkPurpose.UNSUBSCRIBE)
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

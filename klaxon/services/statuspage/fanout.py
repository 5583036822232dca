"""The fan-out: every public update told to every confirmed subscriber exactly once.

It runs in the statuspage_notify function on "Status Update Posted". It covers every update of the
incident, not only the announced one, so an update whose announcement was lost goes out with the
next; the delivery records (written before each send) make a repeated event, a retried function and
that catching up send nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.domain.statuspage.models import PublicIncident, Snapshot, StatusUpdate
from klaxon.domain.statuspage.subscribers import (
    SIGNATURE_HEADER,
    Delivery,
    DeliveryState,
    Subscriber,
    SubscriberKind,
    SubscriberState,
    delivery_plan,
    incident_as_of,
    unsubscribe_headers,
    update_email,
    webhook_secret,
    webhook_signatures,
)
from klaxon.ports.statuspage import EmailSender, SubscriberStore, WebhookPoster

if TYPE_CHECKING:
    from klaxon.config.statuspage import StatusPageConfig
    from klaxon.ports import Clock, Keyring

from klaxon.services.statuspage.subscriber_messages import (
    ATTEMPTS,
    DELIVERY_HEADER,
    FanOut,
    offers,
    permalink,
    webhook_payload,
)


class SubscriberFanOut:
    """The delivering half of SubscriberService, which holds the fields named here."""

    if TYPE_CHECKING:
        store: SubscriberStore
        settings: Callable[[], StatusPageConfig | None]
        public_incident: Callable[[str], PublicIncident | None]
        snapshot: Callable[[], Snapshot | None]
        email: EmailSender
        webhooks: WebhookPoster
        clock: Clock
        webhook_keys: Keyring
        sleep: Callable[[float], None]
        backoff_s: tuple[float, ...]
        threads: int

        def unsubscribe_link(self, subscriber_id: str) -> str: ...

    def deliver(self, incident_id: str) -> FanOut:
        """Send every update of the incident's public incident to every subscriber still owed it."""
        config = self.settings()
        incident = self.public_incident(incident_id)
        if config is None or incident is None:
            return FanOut()
        audience = [
            s for s in self.store.all() if s.state is SubscriberState.ACTIVE and offers(config, s.kind)
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

    def webhook_secrets(self, subscriber: Subscriber) -> list[str]:
        """What signs `subscriber`'s deliveries: its secret under the deployment's webhook secret, and
        during a rotation's grace period its old one too. A webhook added before secrets were derived
        kept its own: it signs alone until the first rotation, and beside the new one through its grace."""
        derived = [webhook_secret(master, subscriber.id) for master in self.webhook_keys.accepted()]
        if subscriber.secret is None:
            return derived
        if self.webhook_keys.versions().rotated_at is None:
            return [subscriber.secret]
        return derived[:1] + ([subscriber.secret] if len(derived) > 1 else [])

    def _post(self, subscriber: Subscriber, update: StatusUpdate, body: bytes) -> int:
        secrets = self.webhook_secrets(subscriber)
        signature = webhook_signatures(secrets, body, int(self.clock.now().timestamp()))
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

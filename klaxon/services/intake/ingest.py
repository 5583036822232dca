"""Accept an alert: check size, authenticate the key, normalise, and hand it to the bus (or refuse it)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from klaxon.domain import json_text
from klaxon.domain.access.rate_limits import Subject
from klaxon.domain.errors import InvalidInput, Unauthorized
from klaxon.domain.incident.models import Alert
from klaxon.domain.intake import pagerduty, routing
from klaxon.domain.intake.deliveries import delivery_ids, sns_delivery_id, to_remember
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.sources import SOURCES, Ignored, cloudwatch
from klaxon.domain.intake.sources.signatures import BadSignature
from klaxon.events import AlertReceived, ChangeReceived, DetailType
from klaxon.ports import (
    Clock,
    DeliveryLog,
    EventBus,
    IdGenerator,
    KeysAndServices,
    PayloadStore,
    SigningSecrets,
)
from klaxon.ports.intake import SnsVerifier, SubscriptionConfirmer
from klaxon.services.access.rate_limits import RateLimiter

log = logging.getLogger(__name__)

# An EventBridge entry holds 256 KB; leave room for the envelope.
INLINE_LIMIT = 200 * 1024
PAGERDUTY_KINDS = frozenset({"pagerduty", "generic"})


class UnknownRoutingKey(InvalidInput):
    """PagerDuty answers an unknown routing key with 400 "invalid event"; so do we."""


@dataclass(frozen=True)
class Accepted:
    """What ingest did with a webhook: published `alert`, or dropped, ignored or confirmed (no alert)."""

    message: str
    alert: Alert | None = None
    repeat: bool = False  # a delivery already taken (a retry or a replay): answered 200, nothing done

    @property
    def dedup_key(self) -> str | None:
        return self.alert.dedup_key if self.alert is not None else None


@dataclass
class IngestService:
    directory: KeysAndServices
    bus: EventBus
    payloads: PayloadStore
    clock: Clock
    ids: IdGenerator
    sns: SnsVerifier | None = None  # cloudwatch: SNS signatures
    confirmer: SubscriptionConfirmer | None = None  # cloudwatch: SNS subscription confirmation
    deliveries: DeliveryLog | None = None  # acknowledges and resolves already taken (24 h)
    signing: SigningSecrets | None = None  # integrations' signing secrets (Secrets Manager)
    limiter: RateLimiter | None = None  # requests a minute per integration key
    _rules: dict[str, tuple[str, routing.CompiledRules]] = field(default_factory=dict, init=False, repr=False)

    def _json(self, body: bytes, invalid_message: str) -> Any:
        try:
            return json_text.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput(invalid_message, [f"body is not valid JSON: {exc}"]) from exc

    def _pagerduty_integration(self, body: Any) -> IntegrationRef:
        key = pagerduty.routing_key_of(body)
        integration = self.directory.integration_for_key(key)
        if integration is None or integration.kind not in PAGERDUTY_KINDS:
            raise UnknownRoutingKey(
                pagerduty.INVALID_EVENT, ["'routing_key' does not match any Events API integration"]
            )
        self._admit(integration)
        return integration

    def _admit(self, integration: IntegrationRef) -> None:
        """Count the request against the integration's rate limit once it has authenticated (429 past it):
        a flood on one key spends that key's budget only, and a forger without the key spends none."""
        if self.limiter is not None:
            self.limiter.admit(Subject.INTEGRATION, integration.id)

    def enqueue_pagerduty(self, body: bytes) -> str:
        """`POST /v2/enqueue`: returns the dedup key (generated for a trigger that had none)."""
        pagerduty.check_size(body)
        event = self._json(body, pagerduty.INVALID_EVENT)
        integration = self._pagerduty_integration(event)
        alert = pagerduty.parse_alert_event(
            event,
            alert_id=self.ids.new_id(),
            generated_dedup_key=self.ids.new_id(),
            service=integration.service,
            integration=integration.id,
            now=self.clock.now(),
        )
        routed = self._route(integration, alert)
        if routed is not None:
            self._publish_alert(routed)
        return alert.dedup_key

    def enqueue_change(self, body: bytes) -> None:
        """`POST /v2/change/enqueue`: a change goes on the service's timeline and pages no one."""
        pagerduty.check_size(body)
        event = self._json(body, pagerduty.INVALID_EVENT)
        integration = self._pagerduty_integration(event)
        change = pagerduty.parse_change_event(
            event,
            change_id=self.ids.new_id(),
            service=integration.service,
            integration=integration.id,
            now=self.clock.now(),
        )
        self.bus.publish(DetailType.CHANGE_RECEIVED, ChangeReceived(change=change))

    def enqueue_integration(
        self, kind: str, key: str | None, body: bytes, headers: Mapping[str, str] | None = None
    ) -> Accepted:
        """`POST /v1/integrations/{kind}`: check the key, check the signature, parse, route, publish."""
        pagerduty.check_size(body)
        if kind not in SOURCES and kind != "pagerduty":  # the kinds are public: a typo is told so
            raise InvalidInput(
                f"unknown integration kind {kind!r}", [f"kind is one of {', '.join(sorted(SOURCES))}"]
            )
        if not key:
            raise Unauthorized(
                "missing integration key: send 'Authorization: Bearer <key>' or append it to the URL"
            )
        integration = self.directory.integration_for_key(key)
        if integration is None or integration.kind != kind:
            raise Unauthorized(f"the key is not the key of any {kind} integration")
        source = SOURCES.get(kind)
        if source is None:
            raise InvalidInput(
                f"integration kind {kind!r} has no webhook format", [f"send {kind} events to /v2/enqueue"]
            )
        headers = headers or {}
        now = self.clock.now()
        if source.verify is not None:
            integration = self._with_secrets(integration)
            source.verify(body, headers, integration, now)  # before parsing: a forger learns nothing more
        if kind != "cloudwatch":  # an SNS delivery is counted once its signature is checked
            self._admit(integration)
        payload = self._json(body, f"{kind} payload is not JSON")
        if kind == "cloudwatch":
            return self._sns_delivery(payload, integration)
        parsed = source.parse(
            payload,
            headers=headers,
            alert_id=self.ids.new_id(),
            integration=integration,
            known_services=self.directory.services(),
            now=now,
        )
        return self._accept(integration, parsed, delivery_ids(kind, integration.id, body, headers))

    def _with_secrets(self, integration: IntegrationRef) -> IntegrationRef:
        """`integration` with what verifies its signatures now (two secrets during a rotation)."""
        secrets: tuple[str, ...] = ()
        if integration.signed and self.signing is not None:
            secrets = self.signing.accepted(integration.id)
        if not secrets and integration.secret is not None:  # stored in the config table by older versions
            secrets = (integration.secret,)
        if integration.signed and not secrets:  # never let a missing secret read as "unsigned is fine"
            raise BadSignature(f"the signing secret of integration {integration.id} cannot be found")
        return integration.model_copy(update={"secrets": secrets})

    def _accept(
        self, integration: IntegrationRef, parsed: Alert | Ignored, ids: tuple[str, ...] = ()
    ) -> Accepted:
        if isinstance(parsed, Ignored):
            log.info("integration %s: ignored: %s", integration.id, parsed.reason)
            return Accepted(f"Ignored: {parsed.reason}")
        if self._repeated(parsed, ids):
            log.warning(
                "integration %s: a repeated %s delivery, ignored", integration.id, parsed.action.value
            )
            return Accepted("Repeated delivery: it was accepted before, so nothing changed", repeat=True)
        routed = self._route(integration, parsed)
        if routed is None:
            return Accepted("Alert dropped by a routing rule")
        self._publish_alert(routed)
        return Accepted("Alert accepted", routed)

    def _repeated(self, alert: Alert, ids: tuple[str, ...]) -> bool:
        """A delivery taken before (domain.intake.deliveries says which are remembered)."""
        remembered = to_remember(alert, ids)
        if not remembered or self.deliveries is None:
            return False
        return not self.deliveries.first(remembered, self.clock.now())

    def _sns_delivery(self, payload: Any, integration: IntegrationRef) -> Accepted:
        """An SNS delivery from an allowed topic, signed by SNS: confirm it, ignore it, or read the alarm."""
        message = cloudwatch.envelope(payload)
        if message.topic_arn not in integration.allowed_topic_arns:
            topic = message.topic_arn
            raise Unauthorized(f"SNS topic {topic} is not in the integration's allowed_topic_arns")
        if self.sns is None:
            raise RuntimeError("ingest has no SNS signature verifier wired")
        self.sns.verify(message)
        self._admit(integration)
        if message.type == "SubscriptionConfirmation":
            url = message.subscribe_url or ""
            if not cloudwatch.is_sns_url(url, message.region):
                raise InvalidInput(
                    "SNS subscription confirmation is invalid",
                    [f"'SubscribeURL' is not an https URL on sns.{message.region}.amazonaws.com"],
                )
            if self.confirmer is None:
                raise RuntimeError("ingest has no SNS subscription confirmer wired")
            self.confirmer.confirm(url)
            log.info("integration %s: confirmed the subscription to %s", integration.id, message.topic_arn)
            return Accepted(f"Subscription to {message.topic_arn} confirmed")
        if message.type == "UnsubscribeConfirmation":
            return self._accept(integration, Ignored(f"unsubscribed from {message.topic_arn}"))
        parsed = cloudwatch.parse_alarm(
            message.message,
            alert_id=self.ids.new_id(),
            integration=integration,
            known_services=self.directory.services(),
            now=self.clock.now(),
        )
        return self._accept(integration, parsed, (sns_delivery_id(integration.id, message.message_id),))

    def _route(self, integration: IntegrationRef, alert: Alert) -> Alert | None:
        """The integration's routing rules decide the service, priority and urgency, or drop (None)."""
        if not integration.rules:
            return alert
        decision = routing.decide(self._compiled(integration), alert)
        if decision.drop:
            log.info(
                "integration %s: routing rule %r dropped alert %s (dedup key %s)",
                integration.id,
                decision.rule,
                alert.id,
                alert.dedup_key,
            )
            return None
        return decision.apply(alert)

    def _compiled(self, integration: IntegrationRef) -> routing.CompiledRules:
        """Rules compiled once per revision per container, so regexes are not rebuilt for every alert."""
        cached = self._rules.get(integration.id)
        if cached is not None and cached[0] == integration.rules_revision:
            return cached[1]
        compiled = routing.compile_rules(integration.rules)
        self._rules[integration.id] = (integration.rules_revision, compiled)
        return compiled

    def _publish_alert(self, alert: Alert) -> None:
        detail = AlertReceived(alert=alert)
        if len(detail.model_dump_json(by_alias=True)) > INLINE_LIMIT:
            ref = self.payloads.put(
                f"alerts/{alert.received_at:%Y/%m/%d}/{alert.id}.json", alert.model_dump_json().encode()
            )
            detail = AlertReceived(payload_ref=ref)
        self.bus.publish(DetailType.ALERT_RECEIVED, detail)

"""Accept an alert: check size, authenticate the key, normalise, and hand it to the bus (or refuse it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from klaxon.domain import alertmanager, pagerduty
from klaxon.domain.errors import InvalidInput, Unauthorized
from klaxon.domain.integration import IntegrationRef
from klaxon.domain.models import Alert
from klaxon.events import AlertReceived, ChangeReceived, DetailType
from klaxon.ports import Clock, Directory, EventBus, IdGenerator, PayloadStore

# An EventBridge entry holds 256 KB; leave room for the envelope.
INLINE_LIMIT = 200 * 1024
PAGERDUTY_KINDS = frozenset({"pagerduty", "generic"})


class UnknownRoutingKey(InvalidInput):
    """PagerDuty answers an unknown routing key with 400 "invalid event"; so do we."""


@dataclass
class IngestService:
    directory: Directory
    bus: EventBus
    payloads: PayloadStore
    clock: Clock
    ids: IdGenerator

    def _json(self, body: bytes, invalid_message: str) -> Any:
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput(invalid_message, [f"body is not valid JSON: {exc}"]) from exc

    def _pagerduty_integration(self, body: Any) -> IntegrationRef:
        key = pagerduty.routing_key_of(body)
        integration = self.directory.integration_for_key(key)
        if integration is None or integration.kind not in PAGERDUTY_KINDS:
            raise UnknownRoutingKey(
                pagerduty.INVALID_EVENT, ["'routing_key' does not match any Events API integration"]
            )
        return integration

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
        self._publish_alert(alert)
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

    def enqueue_integration(self, kind: str, key: str | None, body: bytes) -> Alert:
        """`POST /v1/integrations/{kind}`: authenticate the key for that kind, then parse its payload."""
        pagerduty.check_size(body)
        if not key:
            raise Unauthorized(
                "missing integration key: send 'Authorization: Bearer <key>' or append it to the URL"
            )
        integration = self.directory.integration_for_key(key)
        if integration is None or integration.kind != kind:
            raise Unauthorized(f"the key is not the key of any {kind} integration")
        payload = self._json(body, f"{kind} payload is not JSON")
        if kind != "alertmanager":
            raise InvalidInput(
                f"integration kind {kind!r} is not supported yet", [f"unsupported kind {kind!r}"]
            )
        alert = alertmanager.parse_webhook(
            payload,
            alert_id=self.ids.new_id(),
            integration=integration,
            known_services=self.directory.services(),
            now=self.clock.now(),
        )
        self._publish_alert(alert)
        return alert

    def _publish_alert(self, alert: Alert) -> None:
        detail = AlertReceived(alert=alert)
        if len(detail.model_dump_json(by_alias=True)) > INLINE_LIMIT:
            ref = self.payloads.put(
                f"alerts/{alert.received_at:%Y/%m/%d}/{alert.id}.json", alert.model_dump_json().encode()
            )
            detail = AlertReceived(payload_ref=ref)
        self.bus.publish(DetailType.ALERT_RECEIVED, detail)

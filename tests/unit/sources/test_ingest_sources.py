"""Ingest for webhook sources over in-memory ports: signatures first, routing rules, SNS confirmation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from klaxon.adapters.sns_verify import SnsSignatureVerifier
from klaxon.domain.errors import InvalidInput, Unauthorized
from klaxon.domain.incident.models import Priority, Urgency
from klaxon.domain.intake import routing
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.routing import Condition, Operator, Rule
from klaxon.domain.intake.sources.signatures import BadSignature
from klaxon.services.intake.ingest import IngestService
from tests.fakes.memory import CountingIds, FixedClock, MemoryDirectory, MemoryPayloads, RecordingBus
from tests.fakes.sources import (
    TOPIC,
    alarm,
    certificate_pem,
    encode,
    load,
    sentry_headers,
    sns_sign,
    subscription_confirmation,
)

SENTRY_SECRET = "sentry-client-secret-0001"
DROP_TEST = Rule(
    name="drop-test",
    conditions=(Condition(label="environment", operator=Operator.EQUALS, value="test"),),
    drop=True,
)
PRODUCTION_IS_P1 = Rule(
    name="production-is-p1",
    conditions=(Condition(label="environment", operator=Operator.EQUALS, value="production"),),
    service="payments",
    priority=Priority.P1,
)


@dataclass
class RecordingConfirmer:
    urls: list[str] = field(default_factory=list)

    def confirm(self, subscribe_url: str) -> None:
        self.urls.append(subscribe_url)


def service(*integrations: IntegrationRef) -> IngestService:
    return IngestService(
        directory=MemoryDirectory(integrations={i.id: i for i in integrations}),
        bus=RecordingBus(),
        payloads=MemoryPayloads(),
        clock=FixedClock(),
        ids=CountingIds(),
        sns=SnsSignatureVerifier(lambda url: certificate_pem()),
        confirmer=RecordingConfirmer(),
    )


def sentry(*rules: Rule) -> IntegrationRef:
    return IntegrationRef(id="sentry", kind="sentry", service="checkout", secret=SENTRY_SECRET, rules=rules)


def cloudwatch() -> IntegrationRef:
    return IntegrationRef(id="cloudwatch", kind="cloudwatch", service="checkout", allowed_topic_arns=(TOPIC,))


def send_sentry(ingest: IngestService, body: dict[str, Any], secret: str = SENTRY_SECRET) -> Any:
    raw = encode(body)
    headers = {k.lower(): v for k, v in sentry_headers(raw, secret, "event_alert").items()}
    return ingest.enqueue_integration("sentry", "sentry", raw, headers)


def published(ingest: IngestService) -> list[Any]:
    return [detail.alert for _, detail in ingest.bus.events]  # type: ignore[attr-defined]


def test_a_signed_issue_alert_is_published():
    ingest = service(sentry())

    accepted = send_sentry(ingest, load("sentry-issue-alert"))

    assert accepted.dedup_key == "sentry-issue:4507811134"
    assert [a.dedup_key for a in published(ingest)] == ["sentry-issue:4507811134"]


def test_the_signature_is_checked_before_the_body_is_read():
    ingest = service(sentry())

    with pytest.raises(BadSignature):
        ingest.enqueue_integration("sentry", "sentry", b"not json", {"sentry-hook-signature": "00"})


def test_a_rule_sets_the_service_and_priority_of_the_published_alert():
    ingest = service(sentry(PRODUCTION_IS_P1))

    send_sentry(ingest, load("sentry-issue-alert"))

    (alert,) = published(ingest)
    assert (alert.service, alert.priority, alert.urgency) == ("payments", Priority.P1, None)


def test_a_dropping_rule_publishes_nothing_and_says_so():
    body = load("sentry-issue-alert")
    body["data"]["event"]["environment"] = "test"
    ingest = service(sentry(DROP_TEST, PRODUCTION_IS_P1))

    accepted = send_sentry(ingest, body)

    assert accepted.message == "Alert dropped by a routing rule"
    assert accepted.alert is None
    assert published(ingest) == []


def test_an_ignored_delivery_publishes_nothing():
    ingest = service(sentry())
    body = load("sentry-issue-resolved") | {"action": "assigned"}
    raw = encode(body)
    headers = {k.lower(): v for k, v in sentry_headers(raw, SENTRY_SECRET, "issue").items()}

    accepted = ingest.enqueue_integration("sentry", "sentry", raw, headers)

    assert accepted.message.startswith("Ignored:")
    assert published(ingest) == []


def test_rules_are_compiled_once_per_revision(monkeypatch):
    compiled: list[object] = []
    real = routing.compile_rules
    monkeypatch.setattr(routing, "compile_rules", lambda rules: compiled.append(rules) or real(rules))
    ingest = service(sentry(PRODUCTION_IS_P1))

    send_sentry(ingest, load("sentry-issue-alert"))
    send_sentry(ingest, load("sentry-issue-alert"))

    assert len(compiled) == 1


def test_an_alarm_signed_by_sns_is_published():
    ingest = service(cloudwatch())

    accepted = ingest.enqueue_integration("cloudwatch", "cloudwatch", encode(alarm()))

    assert accepted.dedup_key == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-rate"


def test_an_alarm_with_a_forged_signature_is_refused():
    ingest = service(cloudwatch())
    forged = alarm() | {"Message": alarm("OK")["Message"]}

    with pytest.raises(BadSignature):
        ingest.enqueue_integration("cloudwatch", "cloudwatch", encode(forged))


def test_a_subscription_to_an_allowed_topic_is_confirmed():
    ingest = service(cloudwatch())
    body = subscription_confirmation()

    accepted = ingest.enqueue_integration("cloudwatch", "cloudwatch", encode(body))

    assert accepted.message == f"Subscription to {TOPIC} confirmed"
    assert ingest.confirmer.urls == [body["SubscribeURL"]]  # type: ignore[union-attr]


def test_a_subscription_to_another_topic_is_refused_and_never_confirmed():
    ingest = service(cloudwatch())

    with pytest.raises(Unauthorized, match="not in the integration's allowed_topic_arns"):
        ingest.enqueue_integration(
            "cloudwatch", "cloudwatch", encode(subscription_confirmation(TOPIC.replace("alarms", "other")))
        )
    assert ingest.confirmer.urls == []  # type: ignore[union-attr]


def test_a_subscribe_url_outside_sns_is_never_visited():
    ingest = service(cloudwatch())
    body = subscription_confirmation()
    body = {**body, "SubscribeURL": "https://attacker.example/confirm"}
    with pytest.raises(InvalidInput, match="subscription confirmation is invalid"):
        ingest.enqueue_integration("cloudwatch", "cloudwatch", encode(sns_sign(body)))
    assert ingest.confirmer.urls == []  # type: ignore[union-attr]


def test_a_pagerduty_integration_has_no_webhook_format():
    ingest = service(IntegrationRef(id="pd", kind="pagerduty", service="checkout"))

    with pytest.raises(InvalidInput, match="no webhook format"):
        ingest.enqueue_integration("pagerduty", "pd", b"{}")


def test_events_v2_alerts_go_through_the_rules_too():
    rule = Rule(
        name="drop-canary",
        conditions=(Condition(field=routing.AlertField.SOURCE, operator=Operator.EQUALS, value="canary"),),
        drop=True,
    )
    ingest = service(IntegrationRef(id="pd", kind="pagerduty", service="checkout", rules=(rule,)))
    event = {
        "routing_key": "pd",
        "event_action": "trigger",
        "payload": {"summary": "s", "source": "canary", "severity": "info"},
    }

    ingest.enqueue_pagerduty(encode(event))

    assert published(ingest) == []


def test_a_rule_can_choose_urgency_alone():
    rule = Rule(name="all-low", urgency=Urgency.LOW)
    ingest = service(sentry(rule))

    send_sentry(ingest, load("sentry-issue-alert"))

    (alert,) = published(ingest)
    assert (alert.priority, alert.urgency) == (None, Urgency.LOW)

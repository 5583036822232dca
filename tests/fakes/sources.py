"""Payloads of each monitoring source as the tool would send them: fixtures, signatures, SNS signing.

SNS messages are signed with a key made here, never Amazon's: its certificate is pinned for the
verifier (KLAXON_SNS_CERT_DIR or a fetcher), so no test fetches anything.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, ROOT

SOURCE_FIXTURES = ROOT / "tests" / "fixtures" / "sources"
CLOUDWATCH_FIXTURE = FIXTURES / "cloudwatch-alarm-via-sns.json"
CERT_NAME = "SimpleNotificationService-klaxon-test.pem"
CERT_URL = f"https://sns.us-east-1.amazonaws.com/{CERT_NAME}"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"

# The demo organisation's keys and secrets for these sources (examples/acme.yaml).
GRAFANA = ("KLAXON-DEMO-GRAFANA-KEY-00000001", "demo-grafana-signing-secret-0001")
CLOUDWATCH = ("KLAXON-DEMO-CLOUDWATCH-KEY-00001", None)
DATADOG = ("KLAXON-DEMO-DATADOG-KEY-00000001", "demo-datadog-shared-secret-00001")
SENTRY = ("KLAXON-DEMO-SENTRY-KEY-000000001", "demo-sentry-client-secret-000001")
GENERIC = ("KLAXON-DEMO-GENERIC-KEY-00000001", "demo-generic-signing-secret-0001")


def load(name: str) -> dict[str, Any]:
    """A fresh copy of a fixture from tests/fixtures/sources (`cloudwatch` is the shared SNS fixture)."""
    path = CLOUDWATCH_FIXTURE if name == "cloudwatch" else SOURCE_FIXTURES / f"{name}.json"
    return copy.deepcopy(json.loads(path.read_text()))


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, indent=2).encode()


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def grafana_headers(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Grafana's HMAC signature; with a timestamp, it signs `timestamp:body` and sends the timestamp too."""
    if timestamp is None:
        return {"X-Grafana-Alerting-Signature": hmac_hex(secret, body)}
    signed = f"{timestamp}:".encode() + body
    return {
        "X-Grafana-Alerting-Signature": hmac_hex(secret, signed),
        "X-Grafana-Alerting-Signature-Timestamp": str(timestamp),
    }


def sentry_headers(body: bytes, secret: str, resource: str) -> dict[str, str]:
    return {
        "Sentry-Hook-Signature": hmac_hex(secret, body),
        "Sentry-Hook-Resource": resource,
        "Sentry-Hook-Timestamp": "1795742431",
        "Request-ID": "5bc5ad56-8e0c-4f7c-a2ef-8b2ac4f5a7bd",
    }


def generic_headers(body: bytes, secret: str) -> dict[str, str]:
    return {"X-Klaxon-Signature": f"sha256={hmac_hex(secret, body)}"}


@functools.cache
def _signing_key() -> tuple[Any, bytes]:
    """An RSA key and a self-signed certificate standing in for SNS's (made once per test session)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


def certificate_pem() -> bytes:
    return _signing_key()[1]


def pin_certificate(folder: Path) -> Path:
    """Write the test certificate where a pinned-certificate verifier looks for CERT_URL."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CERT_NAME
    path.write_bytes(certificate_pem())
    return path


def _string_to_sign(message: dict[str, Any]) -> bytes:
    if message["Type"] == "Notification":
        names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{n}\n{message[n]}\n" for n in names if message.get(n) is not None).encode()


def sns_sign(message: dict[str, Any], version: str = "1") -> dict[str, Any]:
    """Sign as SNS does (v1 SHA1, v2 SHA256, RSA PKCS#1 v1.5), pointing at the test certificate."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signed = {**message, "SignatureVersion": version, "SigningCertURL": CERT_URL}
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = _signing_key()[0].sign(_string_to_sign(signed), padding.PKCS1v15(), digest)
    return {**signed, "Signature": base64.b64encode(signature).decode()}


def alarm(state: str = "ALARM", *, version: str = "1", name: str | None = None) -> dict[str, Any]:
    """The shared CloudWatch fixture with its alarm in `state` (and renamed), signed with the test key."""
    envelope = load("cloudwatch")
    message = json.loads(envelope["Message"])
    message["OldStateValue"], message["NewStateValue"] = message["NewStateValue"], state
    if name is not None:
        message["AlarmName"] = name
        message["AlarmArn"] = message["AlarmArn"].rsplit(":", 1)[0] + f":{name}"
    envelope["Message"] = json.dumps(message)
    envelope["Subject"] = f'{state}: "{message["AlarmName"]}" in US East (N. Virginia)'
    return sns_sign(envelope, version)


def subscription_confirmation(topic: str = TOPIC) -> dict[str, Any]:
    region = topic.split(":")[3]
    url = f"https://sns.{region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic}&Token=2336412f37f"
    return sns_sign(
        {
            "Type": "SubscriptionConfirmation",
            "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
            "Token": "2336412f37f",
            "TopicArn": topic,
            "Message": f"Subscribing to {topic}.\nVisit the SubscribeURL to confirm.",
            "SubscribeURL": url,
            "Timestamp": "2026-11-27T00:50:00.000Z",
        }
    )


# --- One delivery of each source, as the e2e and integration tiers send them -------------------------


@dataclass(frozen=True)
class Delivery:
    """A request as the tool would make it: path (with the key, or not), raw body, headers."""

    path: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class SourceCase:
    """How one source opens, re-triggers and resolves an incident, and two ways to get it wrong.

    Every builder takes a token that makes the incident's dedup key unique to the calling test.
    """

    kind: str
    service: str
    fire: Callable[[str], Delivery]
    resolve: Callable[[str], Delivery]
    dedup_key: Callable[[str], str]
    forged: Callable[[str], Delivery]
    malformed: Callable[[str], Delivery]
    malformed_error: str
    refused_because: str

    def __str__(self) -> str:
        return self.kind


def _bearer(kind: str, key: str, body: bytes, headers: dict[str, str] | None = None) -> Delivery:
    return Delivery(f"/v1/integrations/{kind}", body, {"Authorization": f"Bearer {key}", **(headers or {})})


def _in_url(kind: str, key: str, body: bytes, headers: dict[str, str] | None = None) -> Delivery:
    return Delivery(
        f"/v1/integrations/{kind}/{key}", body, {"Content-Type": "application/json", **(headers or {})}
    )


def _grafana(name: str, token: str) -> dict[str, Any]:
    body = load(name)
    body["groupKey"] += f"/{token}"
    return body


def _grafana_signed(body: dict[str, Any], secret: str = GRAFANA[1]) -> Delivery:
    raw = encode(body)
    return _bearer("grafana", GRAFANA[0], raw, grafana_headers(raw, secret, int(time.time())))


def _alarm_name(token: str) -> str:
    return f"checkout-5xx-{token}"


def _cloudwatch(body: dict[str, Any]) -> Delivery:
    return _in_url("cloudwatch", CLOUDWATCH[0], encode(body), {"x-amz-sns-message-type": body["Type"]})


def _forged_alarm(token: str) -> Delivery:
    body = alarm("ALARM", name=_alarm_name(token))
    body["Message"] = body["Message"].replace("5xx rate above 5%", "all fine")
    return _cloudwatch(body)


def _alarm_without_state(token: str) -> Delivery:
    envelope = alarm("ALARM", name=_alarm_name(token))
    message = json.loads(envelope["Message"])
    del message["NewStateValue"]
    return _cloudwatch(sns_sign({**envelope, "Message": json.dumps(message)}))


def _datadog(name: str, token: str, secret: str = DATADOG[1], **changes: str) -> Delivery:
    body = load(name) | {"alert_id": token, **changes}
    return _bearer("datadog", DATADOG[0], encode(body), {"X-Klaxon-Secret": secret})


def _sentry(name: str, token: str, resource: str, secret: str = SENTRY[1]) -> Delivery:
    body = load(name)
    if resource == "event_alert":
        body["data"]["event"]["issue_id"] = token
    elif resource == "issue":
        body["data"]["issue"]["id"] = token
    else:
        body["data"]["metric_alert"]["id"] = token
        del body["data"]["metric_alert"]["alert_rule"]
    raw = encode(body)
    return _in_url("sentry", SENTRY[0], raw, sentry_headers(raw, secret, resource))


def _generic(name: str, token: str, secret: str = GENERIC[1], drop: str | None = None) -> Delivery:
    body = load(name) | {"id": token}
    if drop:
        del body[drop]
    raw = encode(body)
    return _bearer("generic", GENERIC[0], raw, generic_headers(raw, secret))


CASES = [
    SourceCase(
        kind="grafana",
        service="checkout",
        fire=lambda t: _grafana_signed(_grafana("grafana-firing", t)),
        resolve=lambda t: _grafana_signed(_grafana("grafana-resolved", t)),
        dedup_key=lambda t: hashlib.sha256(_grafana("grafana-firing", t)["groupKey"].encode()).hexdigest(),
        forged=lambda t: _grafana_signed(_grafana("grafana-firing", t), secret="not-the-grafana-secret"),
        malformed=lambda t: _grafana_signed(
            {k: v for k, v in _grafana("grafana-firing", t).items() if k != "alerts"}
        ),
        malformed_error="'alerts': Field required",
        refused_because="X-Grafana-Alerting-Signature does not match the body",
    ),
    SourceCase(
        kind="cloudwatch",
        service="checkout",
        fire=lambda t: _cloudwatch(alarm("ALARM", name=_alarm_name(t))),
        resolve=lambda t: _cloudwatch(alarm("OK", name=_alarm_name(t), version="2")),
        dedup_key=lambda t: f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{_alarm_name(t)}",
        forged=_forged_alarm,
        malformed=_alarm_without_state,
        malformed_error="'Message.NewStateValue': Field required",
        refused_because="the SNS message signature does not verify",
    ),
    SourceCase(
        kind="datadog",
        service="checkout",
        fire=lambda t: _datadog("datadog-triggered", t),
        resolve=lambda t: _datadog("datadog-recovered", t),
        dedup_key=lambda t: f"datadog:{t}:env:prod,service:checkout",
        forged=lambda t: _datadog("datadog-triggered", t, secret="a-guessed-secret"),
        malformed=lambda t: _datadog("datadog-triggered", t, alert_transition=""),
        malformed_error="'alert_transition': String should have at least 1 character",
        refused_because="X-Klaxon-Secret is not the integration's secret",
    ),
    SourceCase(
        kind="sentry",
        service="checkout",
        fire=lambda t: _sentry("sentry-issue-alert", t, "event_alert"),
        resolve=lambda t: _sentry("sentry-issue-resolved", t, "issue"),
        dedup_key=lambda t: f"sentry-issue:{t}",
        forged=lambda t: _sentry("sentry-issue-alert", t, "event_alert", secret="not-the-client-secret"),
        malformed=lambda t: _sentry("sentry-metric-alert-critical", t, "metric_alert"),
        malformed_error="'data.metric_alert.alert_rule': Field required",
        refused_because="Sentry-Hook-Signature does not match the body",
    ),
    SourceCase(
        kind="generic",
        service="platform",
        fire=lambda t: _generic("generic-firing", t),
        resolve=lambda t: _generic("generic-resolved", t),
        dedup_key=lambda t: t,
        forged=lambda t: _generic("generic-firing", t, secret="not-the-generic-secret"),
        malformed=lambda t: _generic("generic-firing", t, drop="title"),
        malformed_error="'title' (summary) is missing or blank",
        refused_because="X-Klaxon-Signature does not match the body",
    ),
]

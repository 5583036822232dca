"""CloudWatch alarms over an SNS HTTPS subscription: the envelope, the alarm inside it, and SNS's URLs."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import ConfigDict, Field, ValidationError

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import Alert, AlertAction, Link
from klaxon.domain.intake.integration import InsufficientData, IntegrationRef, service_for_labels
from klaxon.domain.intake.sources.common import Ignored, field_errors, require_object, severity_of, summary
from klaxon.domain.model import Model

_SNS_HOST = re.compile(r"^sns\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
_ARN = re.compile(r"^arn:aws[a-z-]*:(sns|cloudwatch):([a-z0-9-]+):(\d{12}):")
_DEFAULT_SEVERITY = {"INSUFFICIENT_DATA": "warning"}


class SnsEnvelope(Model):
    """An SNS HTTP(S) delivery: the fields SNS signs, and the ones that say how to check the signature."""

    model_config = ConfigDict(frozen=True)

    type: Literal["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"] = Field(alias="Type")
    message_id: str = Field(alias="MessageId", min_length=1)
    topic_arn: str = Field(alias="TopicArn", pattern=_ARN.pattern)
    message: str = Field(alias="Message")
    timestamp: str = Field(alias="Timestamp", min_length=1)
    signature_version: Literal["1", "2"] = Field(alias="SignatureVersion")
    signature: str = Field(alias="Signature", min_length=1)
    signing_cert_url: str = Field(alias="SigningCertURL", min_length=1)
    subject: str | None = Field(default=None, alias="Subject")
    subscribe_url: str | None = Field(default=None, alias="SubscribeURL")
    token: str | None = Field(default=None, alias="Token")

    @property
    def region(self) -> str:
        found = _ARN.match(self.topic_arn)
        return found.group(2) if found else ""

    def string_to_sign(self) -> bytes:
        """SNS's canonical form: `Name\\nvalue\\n` for each signed field, in this order."""
        if self.type == "Notification":
            names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
        else:
            names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
        values = self.model_dump(by_alias=True)
        return "".join(f"{n}\n{values[n]}\n" for n in names if values.get(n) is not None).encode()


def envelope(body: Any) -> SnsEnvelope:
    try:
        return SnsEnvelope.model_validate(require_object(body, "SNS message"))
    except ValidationError as exc:
        raise InvalidInput("SNS message is invalid", field_errors(exc)) from exc


def is_sns_url(url: str, region: str, *, path_suffix: str = "") -> bool:
    """An https URL on `sns.<region>.amazonaws.com` (and, for certificates, a path ending `.pem`)."""
    parts = urlsplit(url)
    host = _SNS_HOST.match(parts.hostname or "")
    return (
        parts.scheme == "https"
        and parts.port in (None, 443)
        and host is not None
        and host.group(1) == region
        and parts.path.endswith(path_suffix)
    )


class _Alarm(Model):
    model_config = ConfigDict(populate_by_name=True)

    name: str = Field(alias="AlarmName", min_length=1)
    description: str | None = Field(default=None, alias="AlarmDescription")
    account: str | None = Field(default=None, alias="AWSAccountId")
    state: Literal["ALARM", "OK", "INSUFFICIENT_DATA"] = Field(alias="NewStateValue")
    reason: str | None = Field(default=None, alias="NewStateReason")
    changed_at: datetime | None = Field(default=None, alias="StateChangeTime")
    region_name: str | None = Field(default=None, alias="Region")
    arn: str | None = Field(default=None, alias="AlarmArn")
    old_state: str | None = Field(default=None, alias="OldStateValue")
    trigger: dict[str, Any] | None = Field(default=None, alias="Trigger")


def _labels(alarm: _Alarm, region: str) -> dict[str, str]:
    labels = {"alarm_name": alarm.name, "region": region}
    if alarm.account:
        labels["account"] = alarm.account
    trigger = alarm.trigger or {}
    for key, label in (("Namespace", "namespace"), ("MetricName", "metric_name")):
        if isinstance(trigger.get(key), str):
            labels[label] = trigger[key]
    for dimension in trigger.get("Dimensions") or []:
        if isinstance(dimension, dict) and isinstance(dimension.get("name"), str):
            labels[dimension["name"]] = str(dimension.get("value", ""))
    return labels


def _alarm(message: str) -> _Alarm:
    try:
        data = json.loads(message)
    except json.JSONDecodeError as exc:
        raise InvalidInput("CloudWatch alarm is invalid", [f"'Message' is not JSON: {exc}"]) from exc
    try:
        return _Alarm.model_validate(require_object(data, "CloudWatch alarm"))
    except ValidationError as exc:
        errors = ["'Message." + error.removeprefix("'") for error in field_errors(exc)]
        raise InvalidInput("CloudWatch alarm is invalid", errors) from exc


def parse_alarm(
    message: str, *, alert_id: str, integration: IntegrationRef, known_services: frozenset[str], now: datetime
) -> Alert | Ignored:
    """ALARM triggers, OK resolves, INSUFFICIENT_DATA as the integration says; dedup by the alarm ARN."""
    alarm = _alarm(message)
    action = {"ALARM": AlertAction.TRIGGER, "OK": AlertAction.RESOLVE}.get(alarm.state)
    if action is None:
        if integration.insufficient_data is InsufficientData.IGNORE:
            return Ignored(f"alarm {alarm.name!r} is INSUFFICIENT_DATA, which this integration ignores")
        action = AlertAction(integration.insufficient_data.value)
    arn_region = _ARN.match(alarm.arn or "")
    region = arn_region.group(2) if arn_region else (alarm.region_name or "")
    labels = _labels(alarm, region)
    # The alarm's state is the only severity-like string CloudWatch sends: `severity_map` maps it.
    severity = severity_of(alarm.state, integration) or severity_of(
        _DEFAULT_SEVERITY.get(alarm.state), integration
    )
    console = (
        f"https://console.aws.amazon.com/cloudwatch/home?region={region}#alarmsV2:alarm/{quote(alarm.name)}"
    )
    return Alert(
        id=alert_id,
        action=action,
        dedup_key=alarm.arn or f"{alarm.account}:{region}:{alarm.name}",
        service=service_for_labels(integration, labels, known_services),
        integration=integration.id,
        source_kind="cloudwatch",
        received_at=now,
        summary=summary(f"{alarm.name}: {alarm.description or alarm.reason or alarm.state}"),
        source=alarm.arn or alarm.name,
        severity=severity,
        timestamp=alarm.changed_at,
        custom_details={
            "state": alarm.state,
            "old_state": alarm.old_state,
            "reason": alarm.reason,
            "trigger": alarm.trigger,
        },
        labels=labels,
        links=[Link(href=console, text="CloudWatch alarm")],
    )


def parse(
    body: Any,
    *,
    headers: Mapping[str, str],
    alert_id: str,
    integration: IntegrationRef,
    known_services: frozenset[str],
    now: datetime,
) -> Alert | Ignored:
    """An SNS Notification carrying an alarm, or (for `klaxon route test`) the alarm JSON on its own."""
    data = require_object(body, "SNS message")
    if "Type" in data:
        sns = envelope(data)
        if sns.type != "Notification":
            return Ignored(f"an SNS {sns.type} carries no alarm")
        message = sns.message
    else:
        message = json.dumps(data)
    return parse_alarm(
        message, alert_id=alert_id, integration=integration, known_services=known_services, now=now
    )

"""Grafana unified alerting webhook: like Alertmanager's, one notification group is one incident."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import Alert, Link
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.sources.common import (
    field_errors,
    header,
    require_object,
    severity_of,
    summary,
    worst,
)
from klaxon.domain.intake.sources.notification_group import GroupAlert, GroupWebhook
from klaxon.domain.intake.sources.signatures import require_fresh, require_hmac

SIGNATURE_HEADER = "X-Grafana-Alerting-Signature"
TIMESTAMP_HEADER = "X-Grafana-Alerting-Signature-Timestamp"


class _Alert(GroupAlert):
    dashboard_url: str | None = Field(default=None, alias="dashboardURL")
    panel_url: str | None = Field(default=None, alias="panelURL")
    values: dict[str, Any] | None = None


class _Webhook(GroupWebhook):
    org_id: int | None = Field(default=None, alias="orgId")
    alerts: list[_Alert] = Field(min_length=1)  # type: ignore[assignment]
    title: str | None = None


def verify(body: bytes, headers: Mapping[str, str], integration: IntegrationRef, now: datetime) -> None:
    """With a secret: HMAC-SHA256 of the body, or of `timestamp:body` when Grafana sends a timestamp."""
    if not integration.secrets:
        return
    signature = header(headers, SIGNATURE_HEADER)
    timestamp = header(headers, TIMESTAMP_HEADER)
    if timestamp is None:
        require_hmac(integration.secrets, body, signature, SIGNATURE_HEADER)
        return
    require_hmac(integration.secrets, timestamp.encode() + b":" + body, signature, SIGNATURE_HEADER)
    require_fresh(timestamp, now, TIMESTAMP_HEADER)


def _title(hook: _Webhook) -> str:
    return hook.title or hook.heading()


def _links(hook: _Webhook) -> list[Link]:
    found: dict[str, str] = {}
    for a in hook.alerts:
        for href, text in ((a.annotations.get("runbook_url"), "runbook"), (a.dashboard_url, "dashboard")):
            if href:
                found.setdefault(href, text)
    if hook.external_url:
        found.setdefault(hook.external_url, "Grafana")
    return [Link(href=href, text=text) for href, text in found.items()]


def parse(
    body: Any,
    *,
    headers: Mapping[str, str],
    alert_id: str,
    integration: IntegrationRef,
    known_services: frozenset[str],
    now: datetime,
) -> Alert:
    """A webhook's group becomes one alert (dedup key sha256(groupKey)); `resolved` resolves it."""
    try:
        hook = _Webhook.model_validate(require_object(body, "Grafana webhook"))
    except ValidationError as exc:
        raise InvalidInput("Grafana webhook is invalid", field_errors(exc)) from exc
    values = {a.fingerprint: a.values for a in hook.alerts if a.values}
    return hook.alert(
        "grafana",
        alert_id=alert_id,
        integration=integration,
        known_services=known_services,
        now=now,
        summary=summary(_title(hook)),
        severity=worst(severity_of(a.labels.get("severity"), integration) for a in hook.alerts),
        custom_details={
            "groupKey": hook.group_key,
            "orgId": hook.org_id,
            "truncatedAlerts": hook.truncated_alerts,
            **({"values": values} if values else {}),
        },
        links=_links(hook),
    )

"""Alertmanager webhook (version 4): one notification group is one incident, as in its PagerDuty receiver."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import Alert, Link, Severity
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.priority import parse_severity
from klaxon.domain.intake.sources.common import field_errors
from klaxon.domain.intake.sources.notification_group import GroupAlert, GroupWebhook

_SEVERITY_RANK = [Severity.CRITICAL, Severity.ERROR, Severity.WARNING, Severity.INFO]


class _AmAlert(GroupAlert):
    pass


class _AmWebhook(GroupWebhook):
    version: str
    alerts: list[_AmAlert] = Field(min_length=1)  # type: ignore[assignment]


def _worst_severity(alerts: list[_AmAlert]) -> Severity | None:
    found = [parse_severity(a.labels.get("severity")) for a in alerts]
    ranked = [s for s in _SEVERITY_RANK if s in found]
    return ranked[0] if ranked else None


def _summary(hook: _AmWebhook) -> str:
    """Like Alertmanager's default title: `[FIRING:2] Alertname: summary annotation`."""
    text = hook.common_annotations.get("summary") or hook.common_annotations.get("description")
    head = hook.heading()
    return f"{head}: {text}" if text else head


def parse_webhook(
    body: Any, *, alert_id: str, integration: IntegrationRef, known_services: frozenset[str], now: datetime
) -> Alert:
    """Validate a v4 webhook and turn its group into one alert; `resolved` resolves the group's incident."""
    if not isinstance(body, dict):
        raise InvalidInput("Alertmanager webhook must be a JSON object")
    try:
        hook = _AmWebhook.model_validate(body)
    except ValidationError as exc:
        raise InvalidInput("Alertmanager webhook is invalid", field_errors(exc)) from exc
    if hook.version != "4":
        raise InvalidInput(
            "Unsupported Alertmanager webhook version", [f"version {hook.version!r} is not '4'"]
        )
    links = [
        Link(href=u, text="runbook") for u in {a.annotations.get("runbook_url") for a in hook.alerts} if u
    ]
    links += [Link(href=hook.external_url, text="Alertmanager")] if hook.external_url else []
    return hook.alert(
        "alertmanager",
        alert_id=alert_id,
        integration=integration,
        known_services=known_services,
        now=now,
        summary=_summary(hook),
        severity=_worst_severity(hook.alerts),
        custom_details={"groupKey": hook.group_key, "truncatedAlerts": hook.truncated_alerts},
        links=links,
    )

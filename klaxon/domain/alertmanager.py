"""Alertmanager webhook (version 4): one notification group is one incident, as in its PagerDuty receiver."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from klaxon.domain.dedup import group_key_hash
from klaxon.domain.errors import InvalidInput
from klaxon.domain.integration import IntegrationRef, service_for_labels
from klaxon.domain.models import Alert, AlertAction, AlertInstance, Link, Severity
from klaxon.domain.priority import parse_severity

_SEVERITY_RANK = [Severity.CRITICAL, Severity.ERROR, Severity.WARNING, Severity.INFO]


class _AmAlert(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    status: str = Field(pattern="^(firing|resolved)$")
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime | None = Field(default=None, alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")
    generator_url: str | None = Field(default=None, alias="generatorURL")
    fingerprint: str = Field(min_length=1)


class _AmWebhook(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    version: str
    status: str = Field(pattern="^(firing|resolved)$")
    receiver: str = ""
    group_key: str = Field(alias="groupKey", min_length=1)
    alerts: list[_AmAlert] = Field(min_length=1)
    group_labels: dict[str, str] = Field(default_factory=dict, alias="groupLabels")
    common_labels: dict[str, str] = Field(default_factory=dict, alias="commonLabels")
    common_annotations: dict[str, str] = Field(default_factory=dict, alias="commonAnnotations")
    external_url: str | None = Field(default=None, alias="externalURL")
    truncated_alerts: int = Field(default=0, alias="truncatedAlerts")


def _errors(exc: ValidationError) -> list[str]:
    return [f"'{'.'.join(str(p) for p in e['loc']) or 'body'}': {e['msg']}" for e in exc.errors()]


def _instance(a: _AmAlert) -> AlertInstance:
    # Alertmanager sends Go's zero time ("0001-01-01T00:00:00Z") for an alert that has not ended.
    ends = None if a.ends_at is None or a.ends_at.year == 1 else a.ends_at
    return AlertInstance(
        fingerprint=a.fingerprint,
        status=a.status,
        labels=a.labels,
        annotations=a.annotations,
        starts_at=a.starts_at,
        ends_at=ends,
        generator_url=a.generator_url,
    )


def _worst_severity(alerts: list[_AmAlert]) -> Severity | None:
    found = [parse_severity(a.labels.get("severity")) for a in alerts]
    ranked = [s for s in _SEVERITY_RANK if s in found]
    return ranked[0] if ranked else None


def _summary(hook: _AmWebhook) -> str:
    """Like Alertmanager's default title: `[FIRING:2] Alertname: summary annotation`."""
    firing = sum(1 for a in hook.alerts if a.status == "firing")
    name = hook.common_labels.get("alertname") or hook.group_labels.get("alertname") or "alert group"
    text = hook.common_annotations.get("summary") or hook.common_annotations.get("description")
    head = f"[{hook.status.upper()}:{firing if hook.status == 'firing' else len(hook.alerts)}] {name}"
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
        raise InvalidInput("Alertmanager webhook is invalid", _errors(exc)) from exc
    if hook.version != "4":
        raise InvalidInput(
            "Unsupported Alertmanager webhook version", [f"version {hook.version!r} is not '4'"]
        )
    labels = {**hook.group_labels, **hook.common_labels}
    links = [
        Link(href=u, text="runbook") for u in {a.annotations.get("runbook_url") for a in hook.alerts} if u
    ]
    links += [Link(href=hook.external_url, text="Alertmanager")] if hook.external_url else []
    return Alert(
        id=alert_id,
        action=AlertAction.TRIGGER if hook.status == "firing" else AlertAction.RESOLVE,
        dedup_key=group_key_hash(hook.group_key),
        service=service_for_labels(integration, labels, known_services),
        integration=integration.id,
        source_kind="alertmanager",
        received_at=now,
        summary=_summary(hook),
        source=hook.external_url or hook.receiver or "alertmanager",
        severity=_worst_severity(hook.alerts),
        custom_details={"groupKey": hook.group_key, "truncatedAlerts": hook.truncated_alerts},
        labels=labels,
        links=links,
        instances=[_instance(a) for a in hook.alerts],
    )

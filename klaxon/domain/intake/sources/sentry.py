"""Sentry webhooks from an internal integration: issue alerts, metric alerts and issue resolutions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.dedup import sentry_issue_key, sentry_metric_alert_key
from klaxon.domain.incident.models import Alert, AlertAction, Link, Severity
from klaxon.domain.intake.integration import IntegrationRef, service_for_labels
from klaxon.domain.intake.sources.common import (
    Ignored,
    field_errors,
    header,
    require_object,
    severity_of,
    summary,
)
from klaxon.domain.intake.sources.signatures import BadSignature, require_hmac
from klaxon.domain.model import Model

SIGNATURE_HEADER = "Sentry-Hook-Signature"
RESOURCE_HEADER = "Sentry-Hook-Resource"
_NUMBERS_AS_TEXT = ConfigDict(coerce_numbers_to_str=True)


def _tags(value: Any) -> dict[str, str]:
    """Sentry sends tags as `[["key", "value"], ...]` (or `[{"key":…, "value":…}]`)."""
    tags: dict[str, str] = {}
    for item in value or []:
        if isinstance(item, list | tuple) and len(item) == 2:
            tags[str(item[0])] = str(item[1])
        elif isinstance(item, dict) and "key" in item:
            tags[str(item["key"])] = str(item.get("value", ""))
    return tags


class _Event(Model):
    model_config = _NUMBERS_AS_TEXT

    issue_id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    level: str | None = None
    culprit: str | None = None
    web_url: str | None = None
    project: str | None = None
    environment: str | None = None
    at: datetime | None = Field(default=None, alias="datetime")
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("tags", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> dict[str, str]:
        return _tags(value)


class _EventData(Model):
    event: _Event
    triggered_rule: str | None = None


class _EventAlert(Model):
    action: Literal["triggered"]
    data: _EventData


class _Rule(Model):
    model_config = _NUMBERS_AS_TEXT

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    projects: list[str] = Field(default_factory=list)
    environment: str | None = None


class _Incident(Model):
    model_config = _NUMBERS_AS_TEXT

    id: str = Field(min_length=1)
    title: str | None = None
    alert_rule: _Rule
    date_started: datetime | None = None


class _MetricData(Model):
    metric_alert: _Incident
    description_title: str = Field(min_length=1)
    description_text: str | None = None
    web_url: str | None = None


class _MetricAlert(Model):
    action: Literal["critical", "warning", "resolved"]
    data: _MetricData


class _Issue(Model):
    model_config = _NUMBERS_AS_TEXT

    id: str = Field(min_length=1)
    project: dict[str, Any] = Field(default_factory=dict)
    last_seen: datetime | None = Field(default=None, alias="lastSeen")


class _IssueData(Model):
    issue: _Issue


class _IssueEvent(Model):
    action: str
    data: _IssueData


def verify(body: bytes, headers: Mapping[str, str], integration: IntegrationRef, now: datetime) -> None:
    """Sentry signs every delivery: hex HMAC-SHA256 of the body with the integration's client secret."""
    if not integration.secrets:
        raise BadSignature("this sentry integration has no secret: set it to the Sentry client secret")
    require_hmac(integration.secrets, body, header(headers, SIGNATURE_HEADER), SIGNATURE_HEADER)


def _resource(data: dict[str, Any], headers: Mapping[str, str]) -> str:
    named = header(headers, RESOURCE_HEADER)
    if named:
        return named
    inner = data.get("data") if isinstance(data.get("data"), dict) else {}
    for key, resource in (("metric_alert", "metric_alert"), ("event", "event_alert"), ("issue", "issue")):
        if isinstance(inner, dict) and key in inner:
            return resource
    return "unknown"


def _validate(model: type[BaseModel], data: dict[str, Any], what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"Sentry {what} is invalid", field_errors(exc)) from exc


def parse(
    body: Any,
    *,
    headers: Mapping[str, str],
    alert_id: str,
    integration: IntegrationRef,
    known_services: frozenset[str],
    now: datetime,
) -> Alert | Ignored:
    """event_alert triggers (dedup by issue), metric_alert follows its action, issue `resolved` resolves."""
    data = require_object(body, "Sentry webhook")
    resource = _resource(data, headers)
    common = {"id": alert_id, "integration": integration.id, "source_kind": "sentry", "received_at": now}
    if resource == "event_alert":
        hook: _EventAlert = _validate(_EventAlert, data, "issue alert")
        event = hook.data.event
        labels = {
            **event.tags,
            **{k: v for k, v in (("project", event.project), ("environment", event.environment)) if v},
            **({"rule": hook.data.triggered_rule} if hook.data.triggered_rule else {}),
        }
        level = severity_of(event.level, integration)
        return Alert(
            **common,
            action=AlertAction.TRIGGER,
            dedup_key=sentry_issue_key(event.issue_id),
            service=service_for_labels(integration, labels, known_services),
            summary=summary(event.title),
            source=event.culprit or "sentry",
            severity=level or (Severity.INFO if event.level == "debug" else None),
            timestamp=event.at,
            custom_details={"issue_id": event.issue_id, "rule": hook.data.triggered_rule},
            labels=labels,
            links=[Link(href=event.web_url, text="Sentry")] if event.web_url else [],
        )
    if resource == "metric_alert":
        metric: _MetricAlert = _validate(_MetricAlert, data, "metric alert")
        incident = metric.data.metric_alert
        rule = incident.alert_rule
        labels = {"rule": rule.name, **({"environment": rule.environment} if rule.environment else {})}
        if rule.projects:
            labels["project"] = ",".join(rule.projects)
        resolved = metric.action == "resolved"
        return Alert(
            **common,
            action=AlertAction.RESOLVE if resolved else AlertAction.TRIGGER,
            dedup_key=sentry_metric_alert_key(incident.id),
            service=service_for_labels(integration, labels, known_services),
            summary=summary(metric.data.description_title),
            source=f"sentry alert rule {rule.name}",
            severity=None if resolved else severity_of(metric.action, integration),
            timestamp=incident.date_started,
            custom_details={"description": metric.data.description_text, "alert_rule_id": rule.id},
            labels=labels,
            links=[Link(href=metric.data.web_url, text="Sentry")] if metric.data.web_url else [],
        )
    if resource == "issue":
        issue: _IssueEvent = _validate(_IssueEvent, data, "issue webhook")
        if issue.action != "resolved":
            return Ignored(f"Sentry issue {issue.action!r} is not an alert")
        project = issue.data.issue.project.get("id")
        labels = {"project": str(project)} if project is not None else {}
        return Alert(
            **common,
            action=AlertAction.RESOLVE,
            dedup_key=sentry_issue_key(issue.data.issue.id),
            service=service_for_labels(integration, labels, known_services),
            # Sentry signs only the body: the issue's last event, in it, dates the resolve.
            timestamp=issue.data.issue.last_seen,
            labels=labels,
        )
    return Ignored(f"Sentry resource {resource!r} is not an alert")

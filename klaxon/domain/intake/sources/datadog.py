"""Datadog webhook with Klaxon's documented payload template: monitor transitions become alerts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ConfigDict, Field, ValidationError, field_validator

from klaxon.domain.errors import InvalidInput
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
from klaxon.domain.intake.sources.signatures import require_secret
from klaxon.domain.model import Model

SECRET_HEADER = "X-Klaxon-Secret"
# The payload to paste into Datadog's webhook (docs/integrations.md shows it too).
TEMPLATE = {
    "alert_id": "$ALERT_ID",
    "alert_transition": "$ALERT_TRANSITION",
    "alert_priority": "$ALERT_PRIORITY",
    "alert_type": "$ALERT_TYPE",
    "alert_scope": "$ALERT_SCOPE",
    "title": "$EVENT_TITLE",
    "body": "$EVENT_MSG",
    "tags": "$TAGS",
    "link": "$LINK",
    "hostname": "$HOSTNAME",
    "event_id": "$ID",
    "date": "$DATE",
}
_TRIGGER = {"triggered", "retriggered", "renotify"}
_WARN = {"warn", "rewarn"}
_RESOLVE = {"recovered"}
_NO_DATA = {"nodata", "renodata"}
_PRIORITY = {"P1": Severity.CRITICAL, "P2": Severity.ERROR, "P3": Severity.WARNING, "P4": Severity.INFO}
_TYPE = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}
_UNFILLED = re.compile(r"^\$[A-Z_]+$")


class _Payload(Model):
    model_config = ConfigDict(coerce_numbers_to_str=True)

    alert_id: str = Field(min_length=1)
    alert_transition: str = Field(min_length=1)
    title: str = Field(min_length=1)
    alert_priority: str | None = None
    alert_type: str | None = None
    alert_scope: str | None = None
    body: str | None = None
    tags: str | list[str] | None = None
    link: str | None = None
    hostname: str | None = None
    event_id: str | None = None
    date: str | None = None

    @field_validator("alert_id", "alert_transition", "title")
    @classmethod
    def _filled_in(cls, value: str) -> str:
        if _UNFILLED.match(value):
            raise ValueError(f"{value} was not replaced: paste the template into Datadog's webhook Payload")
        return value


def verify(body: bytes, headers: Mapping[str, str], integration: IntegrationRef, now: datetime) -> None:
    """Datadog cannot sign; with a secret, it must come back in a custom header (X-Klaxon-Secret)."""
    if integration.secrets:
        require_secret(integration.secrets, header(headers, SECRET_HEADER), SECRET_HEADER)


def labels_of(tags: str | list[str] | None) -> dict[str, str]:
    """Datadog tags `k:v` become labels (`k` → `v`); a tag without a value becomes a label with value ''."""
    items = tags.split(",") if isinstance(tags, str) else (tags or [])
    labels: dict[str, str] = {}
    for item in (t.strip() for t in items):
        if item:
            name, _, value = item.partition(":")
            labels.setdefault(name.strip(), value.strip())
    return labels


def _severity(p: _Payload, warn: bool, integration: IntegrationRef) -> Severity | None:
    raw = p.alert_priority if p.alert_priority and not _UNFILLED.match(p.alert_priority) else None
    if raw is not None and (found := severity_of(raw, integration) or _PRIORITY.get(raw.upper())):
        return found
    if warn:
        return Severity.WARNING
    return _TYPE.get((p.alert_type or "").lower())


def _timestamp(date: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(date or "") / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def parse(
    body: Any,
    *,
    headers: Mapping[str, str],
    alert_id: str,
    integration: IntegrationRef,
    known_services: frozenset[str],
    now: datetime,
) -> Alert | Ignored:
    """Triggered/Re-Triggered (and Warn) trigger, Recovered resolves, No Data is ignored.

    The dedup key is the monitor id plus the alert's scope, so each group of a multi-alert is its own.
    """
    try:
        p = _Payload.model_validate(require_object(body, "Datadog webhook"))
    except ValidationError as exc:
        raise InvalidInput("Datadog webhook is invalid", field_errors(exc)) from exc
    transition = re.sub(r"[^a-z]", "", p.alert_transition.lower())
    if transition in _NO_DATA:
        return Ignored(f"Datadog transition {p.alert_transition!r} is not an alert")
    if transition not in _TRIGGER | _WARN | _RESOLVE:
        known = "Triggered, Re-Triggered, Renotify, Warn, Re-Warn, Recovered, No Data"
        raise InvalidInput(
            "Datadog webhook is invalid",
            [f"'alert_transition': {p.alert_transition!r} is not one of {known}"],
        )
    labels = labels_of(p.tags)
    scope = (p.alert_scope or "").strip()
    return Alert(
        id=alert_id,
        action=AlertAction.RESOLVE if transition in _RESOLVE else AlertAction.TRIGGER,
        dedup_key=f"datadog:{p.alert_id}" + (f":{scope}" if scope else ""),
        service=service_for_labels(integration, labels, known_services),
        integration=integration.id,
        source_kind="datadog",
        received_at=now,
        summary=summary(p.title),
        source=p.hostname or "datadog",
        severity=_severity(p, transition in _WARN, integration),
        timestamp=_timestamp(p.date),
        custom_details={"body": p.body, "transition": p.alert_transition, "priority": p.alert_priority},
        labels=labels,
        links=[Link(href=p.link, text="Datadog")] if p.link else [],
    )

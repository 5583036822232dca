"""What every source parser shares: field-level errors, severity mapping, labels and the "ignored" answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import Severity
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.priority import parse_severity

MAX_SUMMARY = 1024
_RANK = [Severity.CRITICAL, Severity.ERROR, Severity.WARNING, Severity.INFO]


@dataclass(frozen=True)
class Ignored:
    """A valid delivery that asks for nothing (a "no data" notice, a Sentry issue assigned): 202, no alert."""

    reason: str


def field_errors(exc: ValidationError) -> list[str]:
    """One line per problem, naming the field by its path in the payload: `'alerts.0.status': ...`."""
    return [f"'{'.'.join(str(p) for p in e['loc']) or 'body'}': {e['msg']}" for e in exc.errors()]


def require_object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput(f"{what} must be a JSON object", ["body: expected a JSON object"])
    return body


def severity_of(raw: object, integration: IntegrationRef) -> Severity | None:
    """The integration's `severity_map` first (exact, then any case), then aliases such as `crit`."""
    if raw is None:
        return None
    text = str(raw).strip()
    mapped = integration.severity_map.get(text)
    if mapped is None:
        lowered = text.lower()
        mapped = next((v for k, v in integration.severity_map.items() if k.lower() == lowered), None)
    return mapped or parse_severity(text)


def worst(severities: Iterable[Severity | None]) -> Severity | None:
    found = set(severities)
    return next((s for s in _RANK if s in found), None)


def summary(text: str) -> str:
    return text[:MAX_SUMMARY]


def zero_time_is_none(value: datetime | None) -> datetime | None:
    """Alertmanager and Grafana send Go's zero time (year 1) for "has not ended"."""
    return None if value is None or value.year == 1 else value


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A request header, whatever its case (handlers pass them lowercased; tests may not)."""
    found = headers.get(name.lower())
    if found is None:
        found = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return found.strip() if isinstance(found, str) and found.strip() else None

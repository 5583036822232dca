"""Shared setup for the source parsers: a fixed time, the demo's services, one integration per kind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from klaxon.domain.incident.models import Alert
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.sources import SOURCES, Ignored

NOW = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
SERVICES = frozenset({"checkout", "payments", "search", "platform"})


def ref(kind: str, **settings: Any) -> IntegrationRef:
    """An integration of `kind` routed by its `service` label to known services, else to platform."""
    defaults: dict[str, Any] = {
        "service": "platform",
        "service_label": "service",
        "default_service": "platform",
    }
    return IntegrationRef(id=kind, kind=kind, **{**defaults, **settings})


def parse(kind: str, body: Any, integration: IntegrationRef | None = None, **headers: str) -> Alert | Ignored:
    return SOURCES[kind].parse(
        body,
        headers={k.replace("_", "-").lower(): v for k, v in headers.items()},
        alert_id="a1",
        integration=integration or ref(kind),
        known_services=SERVICES,
        now=NOW,
    )


def parse_alert(kind: str, body: Any, integration: IntegrationRef | None = None, **headers: str) -> Alert:
    parsed = parse(kind, body, integration, **headers)
    assert isinstance(parsed, Alert), parsed
    return parsed

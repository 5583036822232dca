"""Monitoring sources: how each tool's webhook is checked (signature) and parsed into an `Alert`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from klaxon.domain.incident.models import Alert
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.sources import alertmanager, cloudwatch, datadog, generic, grafana, sentry
from klaxon.domain.intake.sources.common import Ignored

__all__ = ["SOURCES", "Ignored", "Source"]


class Parser(Protocol):
    def __call__(
        self,
        body: Any,
        *,
        headers: Mapping[str, str],
        alert_id: str,
        integration: IntegrationRef,
        known_services: frozenset[str],
        now: datetime,
    ) -> Alert | Ignored: ...


class Verifier(Protocol):
    def __call__(
        self, body: bytes, headers: Mapping[str, str], integration: IntegrationRef, now: datetime
    ) -> None: ...


@dataclass(frozen=True)
class Source:
    """A kind of `/v1/integrations/{kind}`: its parser and, for tools that sign, its signature check."""

    parse: Parser
    verify: Verifier | None = None


def _alertmanager(
    body: Any,
    *,
    headers: Mapping[str, str],
    alert_id: str,
    integration: IntegrationRef,
    known_services: frozenset[str],
    now: datetime,
) -> Alert:
    return alertmanager.parse_webhook(
        body, alert_id=alert_id, integration=integration, known_services=known_services, now=now
    )


# cloudwatch's signature is SNS's (a certificate, checked by an adapter), so it has no verifier here.
SOURCES: dict[str, Source] = {
    "alertmanager": Source(_alertmanager),
    "grafana": Source(grafana.parse, grafana.verify),
    "cloudwatch": Source(cloudwatch.parse),
    "datadog": Source(datadog.parse, datadog.verify),
    "sentry": Source(sentry.parse, sentry.verify),
    "generic": Source(generic.parse, generic.verify),
}

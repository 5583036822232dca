"""Integrations: who may send alerts, and which service an alert from them belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import ConfigDict, Field

from klaxon.domain.incident.models import Severity
from klaxon.domain.intake.routing import Rule
from klaxon.domain.model import Model


class InsufficientData(StrEnum):
    """What a CloudWatch alarm entering INSUFFICIENT_DATA does."""

    IGNORE = "ignore"
    TRIGGER = "trigger"
    RESOLVE = "resolve"


class FieldPaths(Model):
    """Where a generic JSON payload keeps each alert field: dotted paths such as `alert.labels`."""

    model_config = ConfigDict(frozen=True)

    summary: str
    severity: str | None = None
    dedup_key: str | None = None
    action: str | None = None
    source: str | None = None
    labels: str | None = None
    timestamp: str | None = None


class IntegrationRef(Model):
    """What ingest needs to know about the integration behind a key (never the key itself)."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    service: str
    service_label: str | None = None
    default_service: str | None = None
    signed: bool = False  # it has a signing secret (kept in Secrets Manager, not here)
    # What verifies its signatures now, the current secret first (two during a rotation's grace period):
    # filled in by ingest from Secrets Manager for each request, never stored.
    secrets: tuple[str, ...] = Field(default=(), repr=False, exclude=True)
    # Where the config table kept the secret before signing secrets moved to Secrets Manager: it still
    # verifies, until the next apply stores the integration without it.
    secret: str | None = Field(default=None, repr=False)
    rules: tuple[Rule, ...] = ()
    rules_revision: str = ""  # a digest of `rules`: ingest compiles each revision once per container
    severity_map: dict[str, Severity] = Field(default_factory=dict)  # source's severity → ours
    allowed_topic_arns: tuple[str, ...] = ()  # cloudwatch: SNS topics it accepts
    insufficient_data: InsufficientData = InsufficientData.IGNORE  # cloudwatch
    fields: FieldPaths | None = None  # generic


def service_for_labels(
    integration: IntegrationRef, labels: Mapping[str, str], known_services: set[str] | frozenset[str]
) -> str:
    """Route on the integration's label (e.g. `service`); an unknown or missing value goes to the default."""
    fallback = integration.default_service or integration.service
    if integration.service_label is None:
        return fallback
    value = labels.get(integration.service_label)
    return value if value is not None and value in known_services else fallback

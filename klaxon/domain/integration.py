"""Integrations: who may send alerts, and which service an alert from them belongs to."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict


class IntegrationRef(BaseModel):
    """What ingest needs to know about the integration behind a key (never the key itself)."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    service: str
    service_label: str | None = None
    default_service: str | None = None


def service_for_labels(
    integration: IntegrationRef, labels: Mapping[str, str], known_services: set[str] | frozenset[str]
) -> str:
    """Route on the integration's label (e.g. `service`); an unknown or missing value goes to the default."""
    fallback = integration.default_service or integration.service
    if integration.service_label is None:
        return fallback
    value = labels.get(integration.service_label)
    return value if value is not None and value in known_services else fallback

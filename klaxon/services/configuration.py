"""Apply a validated configuration: store it (keys hashed) and index its integrations by key hash."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from klaxon.domain.integration import IntegrationRef

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig


class ConfigStore(Protocol):
    def apply(self, document: dict[str, Any], integrations: dict[str, IntegrationRef]) -> None: ...

    def config_document(self) -> dict[str, Any] | None: ...


def integration_refs(config: KlaxonConfig) -> dict[str, IntegrationRef]:
    """What ingest needs per key hash: the integration, its kind and how it picks a service."""
    return {
        integration.hashed_key(): IntegrationRef(
            id=integration.id,
            kind=integration.kind.value,
            service=integration.service or integration.default_service or "",
            service_label=integration.service_label,
            default_service=integration.default_service,
        )
        for integration in config.integrations
    }


def apply_config(store: ConfigStore, config: KlaxonConfig) -> dict[str, int]:
    """Replace the running configuration; returns counts of what it now holds."""
    store.apply(config.stored(), integration_refs(config))
    return {
        "users": len(config.users),
        "teams": len(config.teams),
        "services": len(config.services),
        "integrations": len(config.integrations),
        "schedules": len(config.schedules),
        "escalation_policies": len(config.escalation_policies),
    }

"""Apply a validated configuration: store it (keys hashed) and index its integrations by key hash."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from klaxon.domain.intake.integration import InsufficientData, IntegrationRef
from klaxon.domain.intake.routing import revision_of
from klaxon.domain.statuspage.introductions import (
    component_key,
    group_key,
    introduced,
    maintenance_window_key,
    status_maintenance_key,
)
from klaxon.ports.config import ConfigStore

if TYPE_CHECKING:
    from klaxon.config.schema import Integration, KlaxonConfig


def integration_ref(integration: Integration) -> IntegrationRef:
    """What ingest needs about one integration: its kind, routing, and how to check and read payloads."""
    rules = tuple(rule.to_domain() for rule in integration.rules)
    return IntegrationRef(
        id=integration.id,
        kind=integration.kind.value,
        service=integration.service or integration.default_service or "",
        service_label=integration.service_label,
        default_service=integration.default_service,
        secret=integration.secret.get_secret_value() if integration.secret is not None else None,
        rules=rules,
        rules_revision=revision_of(rules) if rules else "",
        severity_map=dict(integration.severity_map),
        allowed_topic_arns=tuple(integration.allowed_topic_arns),
        insufficient_data=integration.insufficient_data or InsufficientData.IGNORE,
        fields=integration.fields.to_domain() if integration.fields is not None else None,
    )


def integration_refs(config: KlaxonConfig) -> dict[str, IntegrationRef]:
    """What ingest needs per key hash (see `integration_ref`)."""
    return {integration.hashed_key(): integration_ref(integration) for integration in config.integrations}


def introduction_keys(config: KlaxonConfig) -> list[str]:
    """What the status page dates by the revision that introduced it: components, groups, windows."""
    keys = [maintenance_window_key(w.id) for w in config.maintenance_windows]
    page = config.statuspage
    if page is not None:
        keys += [component_key(c.id) for c in page.components]
        keys += [group_key(g.id) for g in page.groups]
        keys += [status_maintenance_key(m.id) for m in page.maintenances]
    return keys


def apply_config(store: ConfigStore, config: KlaxonConfig, now: datetime) -> dict[str, int]:
    """Replace the running configuration at `now`; returns counts of what it now holds."""
    times = introduced(store.introductions(), introduction_keys(config), now)
    store.apply(config.stored(), integration_refs(config), times)
    return {
        "users": len(config.users),
        "teams": len(config.teams),
        "services": len(config.services),
        "integrations": len(config.integrations),
        "schedules": len(config.schedules),
        "escalation_policies": len(config.escalation_policies),
    }

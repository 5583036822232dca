"""Apply a validated configuration: store it (keys as digests under the pepper), index its integrations by
key digest, and hand their signing secrets to Secrets Manager."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from klaxon.domain.intake.integration import InsufficientData, IntegrationRef
from klaxon.domain.intake.routing import revision_of
from klaxon.domain.statuspage.introductions import (
    component_key,
    group_key,
    introduced,
    maintenance_window_key,
    status_maintenance_key,
)
from klaxon.ports import Clock, Keyed, SigningSecrets
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
        signed=integration.secret is not None,
        rules=rules,
        rules_revision=revision_of(rules) if rules else "",
        severity_map=dict(integration.severity_map),
        allowed_topic_arns=tuple(integration.allowed_topic_arns),
        insufficient_data=integration.insufficient_data or InsufficientData.IGNORE,
        fields=integration.fields.to_domain() if integration.fields is not None else None,
    )


def integration_refs(config: KlaxonConfig, keyed: Callable[[str], str]) -> dict[str, IntegrationRef]:
    """What ingest needs per key digest (see `integration_ref`)."""
    return {integration.digest(keyed): integration_ref(integration) for integration in config.integrations}


def signing_secrets(config: KlaxonConfig) -> dict[str, str]:
    """Each signed integration's secret, by integration id."""
    return {i.id: i.secret.get_secret_value() for i in config.integrations if i.secret is not None}


def introduction_keys(config: KlaxonConfig) -> list[str]:
    """What the status page dates by the revision that introduced it: components, groups, windows."""
    keys = [maintenance_window_key(w.id) for w in config.maintenance_windows]
    page = config.statuspage
    if page is not None:
        keys += [component_key(c.id) for c in page.components]
        keys += [group_key(g.id) for g in page.groups]
        keys += [status_maintenance_key(m.id) for m in page.maintenances]
    return keys


@dataclass
class ConfigApplier:
    """Replaces the running configuration: the document and integration index (`store`), the signing
    secrets (`signing`), keys digested under the pepper (`keyed`)."""

    store: ConfigStore
    keyed: Keyed
    signing: SigningSecrets
    clock: Clock

    def apply_body(self, body: Any, stored: Mapping[str, Any] | None) -> dict[str, int]:
        """Apply a `PUT /v1/config` body over the `stored` document (see `with_kept_credentials`)."""
        from klaxon.config.keys import with_kept_credentials
        from klaxon.config.loader import validate_document

        current = {name: versions.current for name, versions in self.signing.versions().items()}
        return self.apply(validate_document(with_kept_credentials(body, stored, current), "request body"))

    def apply(self, config: KlaxonConfig) -> dict[str, int]:
        """Replace the running configuration now; returns counts of what it now holds."""
        now = self.clock.now()
        times = introduced(self.store.introductions(), introduction_keys(config), now)
        digest = self.keyed.digest
        document, refs = config.persisted(digest), integration_refs(config, digest)
        # Refused whole (400) before anything changes: never secrets of one version with the rest of another.
        self.store.check_fits(document, refs, times)
        # Secrets first: an integration indexed before its secret is stored would refuse its senders.
        self.signing.replace(signing_secrets(config))
        self.store.apply(document, refs, times)
        return {
            "users": len(config.users),
            "teams": len(config.teams),
            "services": len(config.services),
            "integrations": len(config.integrations),
            "schedules": len(config.schedules),
            "escalation_policies": len(config.escalation_policies),
        }

"""Signing secrets: the ones Klaxon makes, which an admin rotates (`POST /v1/secrets/{name}/rotate`,
`klaxon secrets rotate NAME`), and integrations' (`integration:<id>`), which rotate when a configuration
with a new value is applied. Values are never shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field

from klaxon.domain.access.rotation import DEFAULT_GRACE, MAX_GRACE
from klaxon.domain.errors import InvalidInput, NotFound
from klaxon.domain.model import Model
from klaxon.ports import Keyring, SigningSecrets

USES = {
    "link": "acknowledge links in pages, subscriber confirm and unsubscribe links, calendar feed URLs",
    "webhook": "status page webhooks' signing secrets, each derived from it (read one: "
    "GET /v1/statuspage/subscribers/{id}/secret)",
}
INTEGRATION = "integration:"


class Rotation(Model):
    grace_hours: int = Field(
        default=int(DEFAULT_GRACE.total_seconds() // 3600),
        ge=0,
        le=int(MAX_GRACE.total_seconds() // 3600),
        description="How long the old secret still verifies: 24 by default, up to 168",
    )


class SecretStatus(Model):
    name: str
    used_for: str
    rotated_at: datetime | None = Field(description="the last rotation; null: never rotated")
    previous_valid_until: datetime | None = Field(description="until when the old secret still verifies")


@dataclass
class SecretService:
    keyrings: dict[str, Keyring]
    signing: SigningSecrets | None = None

    def _keyring(self, name: str) -> Keyring:
        if (
            name.startswith(INTEGRATION)
            and self.signing is not None
            and name[len(INTEGRATION) :] in (self.signing.versions())
        ):
            raise InvalidInput(
                f"{name} is the secret its sender signs with, so Klaxon cannot choose it",
                [
                    "set the new value as the integration's `secret` and apply the configuration: "
                    "the old value keeps verifying for 24 hours while you change the sender"
                ],
            )
        if name not in self.keyrings:
            raise NotFound(f"no secret {name!r}: rotatable secrets are {', '.join(sorted(self.keyrings))}")
        return self.keyrings[name]

    def rotate(self, name: str, rotation: Rotation) -> SecretStatus:
        rotated = self._keyring(name).rotate(timedelta(hours=rotation.grace_hours))
        return SecretStatus(
            name=name,
            used_for=USES[name],
            rotated_at=rotated.rotated_at,
            previous_valid_until=rotated.previous_until,
        )

    def list(self) -> list[SecretStatus]:
        found = []
        for name, keyring in sorted(self.keyrings.items()):
            versions = keyring.versions()
            found.append(
                SecretStatus(
                    name=name,
                    used_for=USES[name],
                    rotated_at=versions.rotated_at,
                    previous_valid_until=versions.previous_until,
                )
            )
        kept = self.signing.versions() if self.signing is not None else {}
        for integration, versions in sorted(kept.items()):
            found.append(
                SecretStatus(
                    name=f"{INTEGRATION}{integration}",
                    used_for=f"signatures on integration {integration}'s requests (rotate: apply a new one)",
                    rotated_at=versions.rotated_at,
                    previous_valid_until=versions.previous_until,
                )
            )
        return found

"""Ports of access: who is calling, API tokens and their keyed digest, the audit log, rate counters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from klaxon.domain.access.roles import Role

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime, timedelta

    from klaxon.domain.access.audit import AuditRecord
    from klaxon.domain.access.rotation import SecretVersions
    from klaxon.domain.access.tokens import TokenRecord


@dataclass(frozen=True)
class ApiPrincipal:
    """Who is calling the API: the token's name and role, the services it is scoped to (empty: all), and
    the user it acts for, if any."""

    name: str
    user: str | None = None
    role: Role = Role.ADMIN
    services: tuple[str, ...] = ()
    token_id: str | None = None

    @property
    def actor(self) -> str:
        return f"user:{self.user}" if self.user else f"token:{self.name}"


class Keyed(Protocol):
    """The keyed digest (HMAC-SHA-256 under the deployment's pepper) credentials are stored and found by."""

    def digest(self, secret: str) -> str: ...


class TokenStore(Protocol):
    def add(self, record: TokenRecord, digest: str) -> None: ...

    def find(self, digest: str) -> TokenRecord | None:
        """The token stored under `digest`, read strongly consistent: a revoked token is gone at once."""

    def all(self) -> list[TokenRecord]: ...

    def remove(self, token_id: str) -> TokenRecord | None:
        """Delete the token `token_id`; the record deleted, or None if there was none."""

    def touch(self, digest: str, at: datetime) -> None:
        """Record a use at `at` (best effort: never fails the request)."""


class AuditLog(Protocol):
    def add(self, record: AuditRecord) -> None:
        """Keep `record` (and, in AWS, export it to the write-once bucket)."""

    def between(
        self, since: datetime, until: datetime, limit: int, keep: Callable[[AuditRecord], bool]
    ) -> list[AuditRecord]:
        """Records `keep` accepts from `since` (inclusive) to `until` (exclusive), newest first, at most
        `limit`."""


class RateCounter(Protocol):
    """Requests counted per subject and window (klaxon.domain.access.rate_limits)."""

    def hit(self, subject: str, window_start: datetime, window_end: datetime) -> int | None:
        """Count one more request of `subject` in the window; the count now, this one included. None when
        the count could not be kept (the store refused or failed): the caller lets the request through."""


class Keyring(Protocol):
    """A signing secret that can be rotated: `current` signs, `accepted` verifies (the current first)."""

    def current(self) -> bytes: ...

    def accepted(self) -> list[bytes]: ...

    def versions(self) -> SecretVersions: ...

    def rotate(self, grace: timedelta) -> SecretVersions:
        """A new current secret; the old one keeps verifying for `grace`."""


class SigningSecrets(Protocol):
    """The integrations' signing secrets (Secrets Manager in AWS), one rotatable secret per integration."""

    def accepted(self, integration: str) -> tuple[str, ...]:
        """What verifies `integration`'s signatures now, the current secret first; () if it has none."""

    def versions(self) -> Mapping[str, SecretVersions]:
        """Every integration's secret as kept: when it was rotated, until when the old one verifies."""

    def replace(self, wanted: Mapping[str, str]) -> None:
        """Keep exactly the integrations in `wanted` (id → secret): a changed secret is rotated, so the old
        one verifies for the grace period; an integration left out loses its secret."""

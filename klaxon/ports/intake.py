"""Ports of intake: SNS verification and confirmation, the delivery memory, keys and principals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from klaxon.domain.intake.integration import IntegrationRef
    from klaxon.domain.intake.sources import cloudwatch


class SnsVerifier(Protocol):
    def verify(self, message: cloudwatch.SnsEnvelope) -> None:
        """Raise BadSignature unless Amazon SNS signed `message`."""


class SubscriptionConfirmer(Protocol):
    def confirm(self, subscribe_url: str) -> None:
        """Visit an SNS SubscribeURL (already checked to be SNS's own)."""


class DeliveryLog(Protocol):
    """The acknowledge and resolve deliveries taken in the last 24 h (domain.intake.deliveries)."""

    def first(self, delivery_ids: Sequence[str], now: datetime) -> bool:
        """Remember the ids; False when any of them was remembered already (a repeat: ignore it)."""


@dataclass(frozen=True)
class ApiPrincipal:
    """Who is calling the API: the token's name (and the user it acts for, if any)."""

    name: str
    user: str | None = None

    @property
    def actor(self) -> str:
        return f"user:{self.user}" if self.user else f"token:{self.name}"


class KeysAndServices(Protocol):
    """What intake and auth need of the configuration: integrations and API principals by their key's
    hash, and the service ids."""

    def integration_for_key(self, key: str) -> IntegrationRef | None: ...

    def services(self) -> frozenset[str]: ...

    def principal_for_token(self, token: str) -> ApiPrincipal | None: ...

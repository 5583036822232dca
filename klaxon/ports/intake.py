"""Ports of intake: SNS verification and confirmation, the delivery memory, and keys."""

from __future__ import annotations

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


class KeysAndServices(Protocol):
    """What intake needs of the configuration: integrations by their key's hash, and the service ids."""

    def integration_for_key(self, key: str) -> IntegrationRef | None: ...

    def services(self) -> frozenset[str]: ...

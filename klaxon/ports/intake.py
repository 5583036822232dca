"""Ports of intake: Amazon SNS message verification and subscription confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from klaxon.domain.sources import cloudwatch


class SnsVerifier(Protocol):
    def verify(self, message: cloudwatch.SnsEnvelope) -> None:
        """Raise BadSignature unless Amazon SNS signed `message`."""


class SubscriptionConfirmer(Protocol):
    def confirm(self, subscribe_url: str) -> None:
        """Visit an SNS SubscribeURL (already checked to be SNS's own)."""

"""Ports every service shares: the clock, ids, the event bus, the claim-check payload store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from pydantic import BaseModel

    from klaxon.events import DetailType


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    def new_id(self) -> str: ...


class EventBus(Protocol):
    def publish(self, detail_type: DetailType, detail: BaseModel) -> None:
        """Publish one event; raise if the bus did not take it (nothing accepted may be lost)."""


class PayloadStore(Protocol):
    """Claim-check storage for alerts too large to travel on the bus."""

    def put(self, key: str, body: bytes) -> str: ...

    def get(self, ref: str) -> bytes: ...

"""EventBus over EventBridge PutEvents, retrying entries the bus reports as failed."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from klaxon.adapters.aws import client
from klaxon.events import SOURCE, DetailType

if TYPE_CHECKING:
    from pydantic import BaseModel

MAX_ENTRY_BYTES = 256 * 1024


class BusUnavailable(RuntimeError):
    """The bus refused an event after retries; the caller must not report success."""


class EventBridgeBus:
    def __init__(self, bus_name: str, attempts: int = 4) -> None:
        self.bus_name = bus_name
        self.attempts = attempts

    def publish(self, detail_type: DetailType, detail: BaseModel) -> None:
        entry = {
            "Source": SOURCE,
            "DetailType": str(detail_type),
            "Detail": detail.model_dump_json(by_alias=True),
            "EventBusName": self.bus_name,
        }
        for attempt in range(self.attempts):
            response = client("events").put_events(Entries=[entry])
            if not response.get("FailedEntryCount"):
                return
            time.sleep(0.05 * 2**attempt)
        failure = response["Entries"][0]
        raise BusUnavailable(
            f"EventBridge refused {detail_type}: {failure.get('ErrorCode')} {failure.get('ErrorMessage')}"
        )

"""The incidents table's stream, read: a record's new image is the incident as one write left it, and
its `outbox` the event that write carries (klaxon.adapters.tables.OutboxAttribute)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from klaxon.adapters.dynamodb_incidents import from_item
from klaxon.adapters.tables import IncidentItem
from klaxon.events import DetailType, IncidentChanged, IncidentEvent


class IncidentStream:
    def event(self, record: Mapping[str, Any]) -> tuple[DetailType, IncidentChanged] | None:
        image = (record.get("dynamodb") or {}).get("NewImage")
        if not image or "outbox" not in image:
            return None  # a removal (expiry), or a write with no event
        try:
            item = IncidentItem.from_raw_data(dict(image))
            outbox = item.outbox
            assert outbox is not None
            event = IncidentEvent(DetailType(outbox.detail_type), outbox.actor, outbox.reason)
            return event.detail_type, event.detail(from_item(item))
        except Exception as exc:  # any shape the model cannot read: the relay counts and skips it
            raise ValueError(f"unreadable incident stream record: {exc}") from exc

    @staticmethod
    def position(record: Mapping[str, Any]) -> str:
        """The record's sequence number: what a partial batch failure names to be retried from."""
        return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))

"""Maintenance windows added through the API, and reminders sent, as small records in the config table."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DeleteError, PutError

from klaxon.adapters import once_marks
from klaxon.adapters.tables import ConfigItem
from klaxon.adapters.timeutil import iso
from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.noise.maintenance import MaintenanceWindow

WINDOW_PK = "maintenance-window"
REMINDER_PK = "maintenance-reminder"
_CONDITION_FAILED = ("ConditionalCheckFailedException", "TransactionCanceledException")


class DynamoMaintenanceStore:
    def list(self) -> list[MaintenanceWindow]:
        return [
            MaintenanceWindow.model_validate(item.doc) for item in ConfigItem.query(WINDOW_PK) if item.doc
        ]

    def add(self, window: MaintenanceWindow) -> None:
        item = ConfigItem(pk=WINDOW_PK, sk=window.id, doc=window.model_dump(mode="json"))
        try:
            item.save(condition=ConfigItem.sk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code in _CONDITION_FAILED:
                raise Conflict(f"a maintenance window {window.id!r} already exists") from exc
            raise

    def remove(self, window_id: str) -> MaintenanceWindow:
        try:
            item = ConfigItem.get(WINDOW_PK, window_id, consistent_read=True)
        except ConfigItem.DoesNotExist:
            raise NotFound(f"no maintenance window {window_id!r}") from None
        try:
            item.delete(condition=ConfigItem.sk.exists())
        except DeleteError as exc:
            if exc.cause_response_code in _CONDITION_FAILED:
                raise NotFound(f"no maintenance window {window_id!r}") from exc
            raise
        return MaintenanceWindow.model_validate(item.doc)

    def reserve_reminder(self, window_id: str, ends_at: datetime) -> bool:
        """Note that the reminder for this occurrence goes out; False when it already went."""
        return once_marks.claim(REMINDER_PK, f"{window_id}#{iso(ends_at)}")

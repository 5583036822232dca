"""Maintenance windows added through the API, and reminders sent, as small records in the config table.

A window is in the `live` index (klaxon.adapters.live_index) from when it is added until the maintenance
timer sees it ended: the router reads those on each new incident, not every window ever added (a deploy
pipeline that adds one per deploy keeps thousands). The API lists them all. `value` holds the window's
stamp (its `created_at`, in microseconds): retiring is conditional on it, so a window removed and added
again under the same id meanwhile is not the one retired.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DeleteError, PutError

from klaxon.adapters import live_index, once_marks
from klaxon.adapters.tables import ConfigItem
from klaxon.adapters.timeutil import iso
from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.noise.maintenance import MaintenanceWindow, ended

WINDOW_PK = "maintenance-window"
REMINDER_PK = "maintenance-reminder"
_CONDITION_FAILED = ("ConditionalCheckFailedException",)  # single-item writes: never a transaction's


class DynamoMaintenanceStore:
    def current(self, at: datetime, *, marking: bool = False) -> list[MaintenanceWindow]:
        """The windows not retired. `marking`: the one reader (the maintenance timer) that marks the
        windows kept from before the index that have not ended at `at`; until it has, the others read every
        window not ended at `at`."""

        def not_ended(window: MaintenanceWindow) -> bool:
            return not ended(window, at)

        return live_index.read(WINDOW_PK, MaintenanceWindow, not_ended, mark=marking, stamp=stamp)

    def retire(self, window: MaintenanceWindow) -> None:
        live_index.leave(WINDOW_PK, window.id, value=stamp(window))

    def list(self) -> list[MaintenanceWindow]:
        return [
            MaintenanceWindow.model_validate(item.doc) for item in ConfigItem.query(WINDOW_PK) if item.doc
        ]

    def add(self, window: MaintenanceWindow) -> None:
        doc = window.model_dump(mode="json")
        item = ConfigItem(pk=WINDOW_PK, sk=window.id, doc=doc, value=stamp(window), live=WINDOW_PK)
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


def stamp(window: MaintenanceWindow) -> int:
    """Which window of an id this is: when it was added, in microseconds (0 if it never said)."""
    return int(window.created_at.timestamp() * 1_000_000) if window.created_at else 0

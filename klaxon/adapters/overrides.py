"""Schedule overrides and calendar-feed state in the config table (live data, not configuration)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DeleteError

from klaxon.adapters.tables import ConfigItem
from klaxon.adapters.timeutil import iso
from klaxon.domain.errors import NotFound
from klaxon.domain.schedule.models import Override


def _pk(schedule: str) -> str:
    return f"override#{schedule}"


class DynamoOverrideRepository:
    """Overrides of one schedule share a partition, sorted by start: a window query is one Query."""

    def add(self, override: Override) -> None:
        doc = override.model_dump(mode="json")
        ConfigItem(pk=_pk(override.schedule), sk=f"{iso(override.start)}#{override.id}", doc=doc).save(
            condition=ConfigItem.sk.does_not_exist()
        )

    def list(
        self, schedule: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Override]:
        # An override starting before `start` may still run into the window: filter on its end in code.
        condition = ConfigItem.sk < f"{iso(end)}~" if end is not None else None
        found = [Override.model_validate(item.doc) for item in ConfigItem.query(_pk(schedule), condition)]
        return [o for o in found if start is None or o.end > start]

    def remove(self, schedule: str, override_id: str) -> Override:
        for item in ConfigItem.query(_pk(schedule)):
            if item.sk.endswith(f"#{override_id}"):
                try:
                    item.delete(condition=ConfigItem.sk.exists())
                except DeleteError as exc:
                    raise NotFound(f"override {override_id} was already removed") from exc
                return Override.model_validate(item.doc)
        raise NotFound(f"no override {override_id!r} on schedule {schedule!r}")


class DynamoFeedState:
    """Each feed's version (bumped to revoke its URL); and the link secret of older deployments."""

    def legacy_secret(self) -> bytes | None:
        """The link-signing secret deployments kept in the config table before it moved to Secrets
        Manager (klaxon/adapters/link_keys.py): read only, to verify what it signed."""
        try:
            return bytes.fromhex(ConfigItem.get("feed", "secret").doc["hex"])
        except ConfigItem.DoesNotExist:
            return None

    def version(self, subject: str) -> int:
        try:
            return int(ConfigItem.get("feed-version", subject).value or 0)
        except ConfigItem.DoesNotExist:
            return 0

    def revoke(self, subject: str) -> int:
        item = ConfigItem(pk="feed-version", sk=subject)
        item.update(actions=[ConfigItem.value.add(1)])
        return int(item.value)

"""Schedule overrides and calendar-feed state in the config table (live data, not configuration)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from klaxon.adapters.tables import ConfigItem, connection
from klaxon.adapters.timeutil import iso
from klaxon.adapters.transactions import commit_for_request, refused
from klaxon.domain.errors import NotFound
from klaxon.domain.schedule.models import Override

REVISION_SECONDS = 1.0
"""How long a read of a schedule's overrides revision is trusted by the process that read it."""
_REVISION = "~revision"  # sorts after every `<start ISO>#<id>`, so no range of overrides includes it
_OVERRIDES = "~"  # every override's sort key is below it


def _pk(schedule: str) -> str:
    return f"override#{schedule}"


class DynamoOverrideRepository:
    """Overrides of one schedule share a partition, sorted by start: a window query is one Query.

    The partition also holds the schedule's overrides revision (`~revision`, `value`), bumped in the
    same transaction as every add and remove, so a process that caches what the overrides imply (the
    on-call runs) learns of a change from one small read instead of re-reading the overrides. That read
    is trusted for REVISION_SECONDS; this process's own changes are seen at once.
    """

    def __init__(
        self, revision_seconds: float = REVISION_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.revision_seconds = revision_seconds
        self._monotonic = monotonic
        self._connection = connection()
        self._revisions: dict[str, tuple[float, int]] = {}
        self._writes = 0  # this process's writes: a read that overlapped one is not kept

    def add(self, override: Override) -> None:
        doc = override.model_dump(mode="json")
        item = ConfigItem(pk=_pk(override.schedule), sk=f"{iso(override.start)}#{override.id}", doc=doc)
        self._write(override.schedule, lambda tx: tx.save(item, condition=ConfigItem.sk.does_not_exist()))

    def list(
        self, schedule: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Override]:
        # An override starting before `start` may still run into the window: filter on its end in code.
        # Consistent: what is built from this list is labelled with a revision read before it.
        condition = ConfigItem.sk < (f"{iso(end)}~" if end is not None else _OVERRIDES)
        items = ConfigItem.query(_pk(schedule), condition, consistent_read=True)
        found = [Override.model_validate(item.doc) for item in items]
        return [o for o in found if start is None or o.end > start]

    def remove(self, schedule: str, override_id: str) -> Override:
        items = ConfigItem.query(_pk(schedule), ConfigItem.sk < _OVERRIDES)
        item = next((i for i in items if i.sk.endswith(f"#{override_id}")), None)
        if item is None:
            raise NotFound(f"no override {override_id!r} on schedule {schedule!r}")
        try:
            self._write(schedule, lambda tx: tx.delete(item, condition=ConfigItem.sk.exists()))
        except TransactWriteError as exc:
            if refused(exc):
                raise NotFound(f"override {override_id} was already removed") from exc
            raise
        return Override.model_validate(item.doc)

    def revision(self, schedule: str) -> int:
        """A number that grows with every change to the schedule's overrides (0 before the first)."""
        now, writes = self._monotonic(), self._writes
        known = self._revisions.get(schedule)
        if known is not None and now - known[0] < self.revision_seconds:
            return known[1]
        try:
            value = int(ConfigItem.get(_pk(schedule), _REVISION, consistent_read=True).value or 0)
        except ConfigItem.DoesNotExist:
            value = 0
        if writes == self._writes:  # else it may predate a change made here, which must show at once
            self._revisions[schedule] = (now, value)
        return value

    def _write(self, schedule: str, change: Callable[[TransactWrite], object]) -> None:
        """`change` (a write to one override) and the revision bump, in one transaction (tried again while
        contended: klaxon.adapters.transactions)."""
        bump = ConfigItem(pk=_pk(schedule), sk=_REVISION)

        def write(tx: TransactWrite) -> None:
            change(tx)
            tx.update(bump, actions=[ConfigItem.value.add(1)])

        try:
            commit_for_request(self._connection, write)
        finally:
            self._writes += 1
            self._revisions.pop(schedule, None)


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

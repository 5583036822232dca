"""The config table's sparse `live` index (ConfigItem.by_live): the records of a kind that something still
has work in, read without reading every record of the kind ever kept (issue 14: reads that stay the size
of what is open as the table grows).

A record carries `live` (its own pk) while it is live; its writer sets or removes it with the record.
Records kept from before the index have no `live`: one designated process per kind marks the live ones
(`read(..., mark=True)`), each only if unchanged since it was read, then writes `live-index`/<pk>. Until
that mark exists, other readers read the whole partition, as before the index, and write nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from pynamodb.exceptions import UpdateError

from klaxon.adapters.tables import ConfigItem
from klaxon.domain.model import Model

MARK_PK = "live-index"
_CONDITION_FAILED = ("ConditionalCheckFailedException",)
M = TypeVar("M", bound=Model)

UNMARKED_RECHECK_SECONDS = 60.0

_marked: set[str] = set()  # kinds this process saw marked: the mark is never removed
_unmarked_until: dict[str, float] = {}  # kinds found not marked yet, until when (monotonic) to believe it
_marking = threading.Lock()


def read(pk: str, model: type[M], is_live: Callable[[M], bool], *, mark: bool = False) -> list[M]:
    """The live documents under `pk`. The index is eventually consistent: a record written a moment ago
    may be missing until the next read, so a reader that changes a record reads it again first."""
    if not _ready(pk, model, is_live, mark):
        kept = (model.model_validate(item.doc) for item in ConfigItem.query(pk) if item.doc)
        return [document for document in kept if is_live(document)]
    return [model.model_validate(item.doc) for item in ConfigItem.by_live.query(pk)]


def _ready(pk: str, model: type[M], is_live: Callable[[M], bool], mark: bool) -> bool:
    """Whether the index holds every live record of `pk`; marks them first when `mark`. A reader that
    does not mark asks again at most every UNMARKED_RECHECK_SECONDS."""
    if pk in _marked:
        return True
    with _marking:
        if pk in _marked:
            return True
        if not mark and time.monotonic() < _unmarked_until.get(pk, 0.0):
            return False
        if _is_marked(pk):
            _marked.add(pk)
            return True
        if not mark:
            _unmarked_until[pk] = time.monotonic() + UNMARKED_RECHECK_SECONDS
            return False
        _mark_kept(pk, model, is_live)
        _marked.add(pk)
        return True


def leave(pk: str, sk: str) -> None:
    """Take a record out of the index (a window that ended); nothing if it is gone."""
    try:
        ConfigItem(pk=pk, sk=sk).update(actions=[ConfigItem.live.remove()], condition=ConfigItem.sk.exists())
    except UpdateError as exc:
        if exc.cause_response_code not in _CONDITION_FAILED:
            raise


def _is_marked(pk: str) -> bool:
    try:
        ConfigItem.get(MARK_PK, pk, consistent_read=True)
    except ConfigItem.DoesNotExist:
        return False
    return True


def _mark_kept(pk: str, model: type[M], is_live: Callable[[M], bool]) -> None:
    """Mark the live records under `pk` that have no `live`, each only if still as read (a record written
    meanwhile was written with `live` by its writer), then the kind."""
    for item in ConfigItem.query(pk, consistent_read=True):
        if item.live is not None or not item.doc or not is_live(model.model_validate(item.doc)):
            continue
        unchanged = ConfigItem.value == item.value if item.value is not None else ConfigItem.sk.exists()
        try:
            item.update(actions=[ConfigItem.live.set(pk)], condition=unchanged)
        except UpdateError as exc:
            if exc.cause_response_code not in _CONDITION_FAILED:
                raise
    ConfigItem(pk=MARK_PK, sk=pk).save()

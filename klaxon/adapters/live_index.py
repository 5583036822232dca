"""The config table's sparse `live` index (ConfigItem.by_live): the records of a kind that something still
has work in, read without reading every record of the kind ever kept (issue 14: reads that stay the size
of what is open as the table grows).

A record carries `live` (its own pk) while it is live; its writer sets or removes it with the record.
Records kept from before the index have no `live`: one designated reader per kind marks the live ones
(`read(..., mark=True)`), each only if unchanged since it was read, and writes `live-index`/<pk> with the
time. It marks again at each of its reads for SETTLING_SECONDS after that: functions still running the
previous version while a deployment rolls out write records without `live`. Until the first mark exists,
other readers read the whole partition, as before the index, and write nothing; while the index itself is
still being built (the deployment that adds it), every reader reads the whole partition.

`ready` is the same settling for another index: klaxon.adapters.source_index marks the incidents table's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from pynamodb.exceptions import QueryError, UpdateError

from klaxon.adapters.tables import ConfigItem
from klaxon.domain.model import Model

MARK_PK = "live-index"
SETTLING_SECONDS = 3600.0  # a deployment's roll-out, with room to spare
UNMARKED_RECHECK_SECONDS = 60.0  # how long a reader that does not mark believes no mark exists
_CONDITION_FAILED = ("ConditionalCheckFailedException",)
_NO_INDEX = ("ValidationException", "ResourceNotFoundException")  # the index is not there yet
M = TypeVar("M", bound=Model)

_marked: set[str] = set()  # kinds this process saw marked: readers use the index (the mark stays)
_settled: set[str] = set()  # kinds marked over SETTLING_SECONDS ago: the marking reader stops marking
_unmarked_until: dict[str, float] = {}  # kinds found not marked yet, until when (monotonic) to believe it
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def read(
    pk: str,
    model: type[M],
    is_live: Callable[[M], bool],
    *,
    mark: bool = False,
    stamp: Callable[[M], int] | None = None,
) -> list[M]:
    """The live documents under `pk`. The index is eventually consistent: a record written a moment ago
    may be missing until the next read, so a reader that changes a record reads it again first. `stamp`:
    the `value` a record without one is given when it is marked (what a conditional write later names)."""
    if ready(pk, (lambda: _mark_kept(pk, model, is_live, stamp)) if mark else None):
        try:
            return [model.model_validate(item.doc) for item in ConfigItem.by_live.query(pk)]
        except QueryError as exc:
            if exc.cause_response_code not in _NO_INDEX:
                raise
    kept = (model.model_validate(item.doc) for item in ConfigItem.query(pk) if item.doc)
    return [document for document in kept if is_live(document)]


def leave(pk: str, sk: str, *, value: int | None = None) -> None:
    """Take a record out of the index (a window that ended), only if its `value` is still `value` when
    given; nothing if it is gone or changed."""
    condition = ConfigItem.sk.exists() if value is None else ConfigItem.value == value
    try:
        ConfigItem(pk=pk, sk=sk).update(actions=[ConfigItem.live.remove()], condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code not in _CONDITION_FAILED:
            raise


def ready(pk: str, mark_kept: Callable[[], None] | None = None) -> bool:
    """Whether readers of `pk`'s index may read it: once `pk` is marked (`live-index`/<pk>). The one
    marking reader passes `mark_kept`, which marks what was kept from before the index; it runs at each of
    that reader's reads until SETTLING_SECONDS after the first mark, which it writes."""
    mark = mark_kept is not None
    if pk in (_settled if mark else _marked):
        return True
    if not mark and time.monotonic() < _unmarked_until.get(pk, 0.0):
        return False
    with _lock_of(pk):
        marked_at = _marked_at(pk)
        if marked_at is not None:
            _marked.add(pk)
            if time.time() - marked_at >= SETTLING_SECONDS:
                _settled.add(pk)
        if mark_kept is None:
            if marked_at is None:
                _unmarked_until[pk] = time.monotonic() + UNMARKED_RECHECK_SECONDS
            return marked_at is not None
        if pk not in _settled:
            mark_kept()
            if marked_at is None:
                ConfigItem(pk=MARK_PK, sk=pk, value=int(time.time())).save()
                _marked.add(pk)
        return True


def forget() -> None:
    """Forget what this process found of the marks, as a process started afresh knows nothing: its readers
    read the marks again (for a benchmark that dates them)."""
    _marked.clear()
    _settled.clear()
    _unmarked_until.clear()


def _lock_of(pk: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(pk, threading.Lock())


def _marked_at(pk: str) -> float | None:
    """When `pk` was first marked (epoch seconds; 0 for a mark written without a time), or None."""
    try:
        found = ConfigItem.get(MARK_PK, pk, consistent_read=True)
    except ConfigItem.DoesNotExist:
        return None
    return float(found.value or 0)


def _mark_kept(
    pk: str, model: type[M], is_live: Callable[[M], bool], stamp: Callable[[M], int] | None
) -> None:
    """Mark the live records under `pk` that have no `live`, each only if still as read (a record written
    meanwhile was written with `live` by its writer, if it is live)."""
    for item in ConfigItem.query(pk, consistent_read=True):
        if item.live is not None or not item.doc:
            continue
        document = model.model_validate(item.doc)
        if not is_live(document):
            continue
        actions = [ConfigItem.live.set(pk)]
        if item.value is None and stamp is not None:
            actions.append(ConfigItem.value.set(stamp(document)))
        unchanged = (
            ConfigItem.value == item.value if item.value is not None else ConfigItem.value.does_not_exist()
        )
        try:
            item.update(actions=actions, condition=unchanged & ConfigItem.sk.exists())
        except UpdateError as exc:
            if exc.cause_response_code not in _CONDITION_FAILED:
                raise

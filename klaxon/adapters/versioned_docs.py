"""Small versioned records in the config table: a pydantic document under (pk, sk) with its version in
`value`, every write conditional on the version read (optimistic concurrency).

A kind of record a timer sweeps (post-mortems, chat rooms) is also written with `live` while the timer has
work in it, and the timer reads the sparse `live` index (ConfigItem.by_live) instead of the whole
partition: what it reads stays the size of what is open, not of everything ever kept (issue 14).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from pynamodb.exceptions import PutError, UpdateError

from klaxon.adapters.tables import ConfigItem
from klaxon.domain.errors import Conflict
from klaxon.domain.model import Model

_CONDITION_FAILED = ("ConditionalCheckFailedException", "TransactionCanceledException")
M = TypeVar("M", bound=Model)


def read(pk: str, sk: str, model: type[M]) -> tuple[M, int] | None:
    """The document and its version, read consistently; None when there is none."""
    try:
        item = ConfigItem.get(pk, sk, consistent_read=True)
    except ConfigItem.DoesNotExist:
        return None
    return model.model_validate(item.doc), int(item.value or 0)


def write(pk: str, sk: str, doc: Model, *, version: int | None, live: bool = False) -> int:
    """Store `doc` if the record is still at `version` (None: if there is none yet): its new version.
    Conflict otherwise. `live` puts it in the `live` index (a timer has work in it), or takes it out."""
    new = (version or 0) + 1
    item = ConfigItem(pk=pk, sk=sk, doc=doc.model_dump(mode="json"), value=new, live=pk if live else None)
    expected = ConfigItem.sk.does_not_exist() if version is None else ConfigItem.value == version
    try:
        item.save(condition=expected)
    except PutError as exc:
        if exc.cause_response_code in _CONDITION_FAILED:
            raise Conflict(f"{pk} {sk} changed meanwhile") from exc
        raise
    return new


def all_of(pk: str, model: type[M]) -> list[M]:
    """Every document under `pk` (a small partition: read whole)."""
    return [model.model_validate(item.doc) for item in ConfigItem.query(pk)]


# Records written before the `live` index existed have no `live`: the first sweep of a kind marks the live
# ones, and a record `live-index`/<pk> says it is done (a process remembers it too, to skip the read).
BACKFILL_PK = "live-index"
_backfilled: set[str] = set()
_backfill_lock = threading.Lock()


def live_of(pk: str, model: type[M], is_live: Callable[[M], bool]) -> list[M]:
    """Every document under `pk` written as live. The index is eventually consistent: a record written a
    moment ago may only be seen at the next sweep, so a sweep reads a record again before changing it."""
    if pk not in _backfilled:
        with _backfill_lock:
            if pk not in _backfilled:
                _backfill(pk, model, is_live)
                _backfilled.add(pk)
    return [model.model_validate(item.doc) for item in ConfigItem.by_live.query(pk)]


def _backfill(pk: str, model: type[M], is_live: Callable[[M], bool]) -> None:
    """Mark the live records under `pk` that have no `live` yet, each only if still at the version read
    (one written meanwhile was written with `live` by its writer); once, then never again."""
    try:
        ConfigItem.get(BACKFILL_PK, pk, consistent_read=True)
        return
    except ConfigItem.DoesNotExist:
        pass
    for item in ConfigItem.query(pk, consistent_read=True):
        if item.live is not None or not item.doc or not is_live(model.model_validate(item.doc)):
            continue
        try:
            item.update(actions=[ConfigItem.live.set(pk)], condition=ConfigItem.value == item.value)
        except UpdateError as exc:
            if exc.cause_response_code not in _CONDITION_FAILED:
                raise
    ConfigItem(pk=BACKFILL_PK, sk=pk).save()

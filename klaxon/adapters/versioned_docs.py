"""Small versioned records in the config table: a pydantic document under (pk, sk) with its version in
`value`, every write conditional on the version read (optimistic concurrency).

A kind of record a timer sweeps (post-mortems, chat rooms) is also written with `live` while the timer has
work in it, and the timer reads those through klaxon.adapters.live_index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pynamodb.exceptions import PutError

from klaxon.adapters import live_index
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


def live_of(pk: str, model: type[M], is_live: Callable[[M], bool]) -> list[M]:
    """The documents under `pk` written as live (klaxon.adapters.live_index); the records kept from before
    the index are marked by the first such read."""
    return live_index.read(pk, model, is_live, mark=True)

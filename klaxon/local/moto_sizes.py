"""moto's DynamoDB item sizes, counted without copying what is counted (issue 14 §4, §6).

moto checks the 400 KB item limit at every attribute an update sets (`LimitedSizeDict.__setitem__`), and
each check sizes the whole item again with `DynamoType.size`, which builds a new `DynamoType` for every
element of a set and copies every value of a map (its lists and maps again, all the way down) only to
size the copy. An incident remembering a hundred alert ids paid ~4 ms of each `UpdateItem` for it in a
storm. `size` here counts the same bytes the same way (numbers by their text, strings and binaries by
their UTF-8 length, a boolean or null as 1, map keys by their length) without building anything.

Building an item (every PutItem, every Put of a transaction, every copy moto takes) set its attributes one
by one through the same check, so an item of n attributes was sized n times over: a quarter of a PutItem
of twenty attributes. `item_init` sizes each attribute once, keeping the running total the checks would
find: sizes are never negative, so the total passes the limit at the same attribute, and the same
`ItemSizeTooLarge` is raised.

tests/integration/test_moto_sizes.py compares both with moto's own on generated values, and fails when
moto changes what they mirror.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize

ITEM_SIZE_LIMIT = 405_000  # moto's limit in LimitedSizeDict.__setitem__ (DynamoDB's is 409-410 KB)


def size(self: DynamoType) -> int:
    """`DynamoType.size` as moto 5.2.5 counts: the same branches in the same order."""
    kind, value = self.type, self.value
    if kind == "N":
        return len(str(value))
    if kind == "NS":
        return sum(len(str(v)) for v in value)
    if kind in ("SS", "BS"):  # moto sizes DynamoType({"S" or "B": v}): a boolean as 1, else its bytes
        return sum(1 if isinstance(v, bool) else bytesize(v) for v in value)
    if kind == "L":  # elements are DynamoTypes; one that is not is read as moto's copy reads it
        return sum((v if type(v) is DynamoType else DynamoType(v)).size() for v in value)
    if kind == "M":  # moto sizes DynamoType(v): a copy of v, or v read as an attribute value if a dict
        return sum(
            bytesize(k) + (v if type(v) is DynamoType else DynamoType(v)).size() for k, v in value.items()
        )
    if isinstance(value, bool):
        return 1
    return bytesize(value)


def item_init(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
    """`Item.__init__` as moto 5.2.5 builds it: each attribute a `DynamoType` in a `LimitedSizeDict`, in the
    same order, refused at the attribute that takes the total past the limit, but each sized once."""
    self.hash_key = hash_key
    self.range_key = range_key
    self.attrs = LimitedSizeDict()
    total = 0
    for key, value in attrs.items():
        typed = DynamoType(value)
        total += bytesize(key) + typed.size()
        if total > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        dict.__setitem__(self.attrs, key, typed)


def install() -> dict[str, Callable[..., Any]]:
    """Replace `DynamoType.size` and `Item.__init__`; returns what they replaced, by name."""
    originals: dict[str, Callable[..., Any]] = {
        "DynamoType.size": DynamoType.size,
        "Item.__init__": Item.__init__,
    }
    DynamoType.size = size  # type: ignore[method-assign]
    Item.__init__ = item_init  # type: ignore[method-assign]
    return originals

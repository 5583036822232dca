"""moto's DynamoDB item sizes, counted without copying what is counted (issue 14 §4, §6).

moto checks the 400 KB item limit at every attribute an update sets (`LimitedSizeDict.__setitem__`), and
each check sizes the whole item again with `DynamoType.size`, which builds a new `DynamoType` for every
element of a set and copies every value of a map (its lists and maps again, all the way down) only to
size the copy. An incident remembering a hundred alert ids paid ~4 ms of each `UpdateItem` for it in a
storm. `size` here counts the same bytes the same way (numbers by their text, strings and binaries by
their UTF-8 length, a boolean or null as 1, map keys by their length) without building anything.
tests/integration/test_moto_sizes.py compares it with moto's on generated values and fails when moto
changes what it mirrors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.utilities import bytesize


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


def install() -> dict[str, Callable[..., Any]]:
    """Replace `DynamoType.size`; returns what it replaced, by name."""
    originals: dict[str, Callable[..., Any]] = {"DynamoType.size": DynamoType.size}
    DynamoType.size = size  # type: ignore[method-assign]
    return originals

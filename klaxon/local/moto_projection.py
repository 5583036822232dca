"""moto's DynamoDB projections, reading only the attributes projected (issue 14 §4).

moto answers a read with a `ProjectionExpression` through `Item.project`, which turns the *whole* item into
plain values (`Item.to_regular_json`) once for each path projected, then keeps the paths asked for. The
escalation's last look before each retried page asks one attribute, `status`, of an incident whose item
may hold a thousand alerts: that read cost as much as reading all of it (~40 ms locally at 1,000 alerts),
where in AWS it returns a few bytes.

`project` here turns into plain values only the top-level attributes a path can reach, once, and keeps the
paths with moto's own `find_nested_key` and `merge_dicts`. moto's `find_nested_key` reads the path's first
element (`a`) or, for a list element (`a[2]`), the name before its last index: both are the first element
itself or one of its prefixes that is followed by `[`. Each attribute becomes plain values on its own
(`Item.to_regular_json` is a map of each attribute's own conversion), so the same paths find the same
values, and the answer is the same item (what each path finds is copied before it is merged, as each of
moto's was found in a conversion of its own). One difference: moto cannot convert a binary set (its
`to_regular_json` raises TypeError), so it refused every projection of an item holding one; here only a
path reaching the set is refused, and DynamoDB refuses none.

tests/integration/test_moto_projection.py compares it with moto's own on generated items and paths, and
fails when moto changes what it mirrors.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.dynamo_type import (  # the very functions Item.project calls
    Item,
    deserializer,
    find_nested_key,
    merge_dicts,
    serializer,
)


def _reached(attrs: dict[str, Any], first: str) -> list[str]:
    """The top-level attributes moto's `find_nested_key` may read for a path starting `first`."""
    return [name for name in attrs if first == name or first.startswith(name + "[")]


def project(self: Item, projection_expressions: list[list[str]]) -> Item:
    """`Item.project` as moto 5.2.5 answers it, converting only the attributes the paths can reach."""
    plain: dict[str, Any] = {}
    for expr in projection_expressions:
        for name in _reached(self.attrs, expr[0]):
            if name not in plain:
                plain[name] = deserializer.deserialize(self.attrs[name].to_regular_json())
    result: dict[str, Any] = {}
    for expr in projection_expressions:
        # moto finds each path in a conversion of its own; these share one, which merging into `result`
        # would change under the next path (`a, a.b[0], a.b[1]`): so what is found is copied.
        merge_dicts(result, copy.deepcopy(find_nested_key(expr, plain)))
    return Item(hash_key=self.hash_key, range_key=self.range_key, attrs=serializer.serialize(result)["M"])


def install() -> dict[str, Callable[..., Any]]:
    """Replace `Item.project`; returns what it replaced, by name."""
    originals: dict[str, Callable[..., Any]] = {"Item.project": Item.project}
    Item.project = project  # type: ignore[method-assign]
    return originals

"""moto's DynamoDB items copied and turned into plain values without deepcopy's dispatch (issue 14 §6).

Every UpdateItem in moto deep-copies the item it updates (its value before, for the condition's answer and
the stream), and every write to a table with a stream turns the item before and after into plain values
(`Item.to_json`, for the stream record's images). For an incident of three alerts that was ~340 calls of
`copy.deepcopy` and ~80 of `DynamoType.to_regular_json` per UpdateItem: two thirds of its cost.
- A copy (`DynamoType.__deepcopy__`, `Item.__deepcopy__`) takes moto's own steps (a new object, its type,
  its value: a list's and a map's members copied, a set's list copied, anything else kept), but copies an
  attribute value inside it directly instead of through `copy.deepcopy`'s dispatch; anything that is not
  an attribute value still goes to `copy.deepcopy` with the same memo.
- moto's `to_regular_json` deep-copies the whole value at each level and then converts the copy's
  members, so a value nested n deep is copied n times. Here each member is converted once, from the
  original: the conversion only reads it and builds new dicts and lists, so the result is the same. A
  member that is not an attribute value is deep-copied as moto does.
tests/integration/test_moto_items.py holds both to moto's own on generated items, and fails when moto
changes what is replaced here.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any, cast

from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

_IMMUTABLE = frozenset({str, bytes, int, float, bool, type(None)})  # deepcopy returns each itself


def _copied(value: Any, memo: dict[int, Any]) -> Any:
    """`copy.deepcopy(value, memo)`, going straight to an attribute value's own copy."""
    if type(value) is not DynamoType:
        return copy.deepcopy(value, memo)
    found = memo.get(id(value))
    return found if found is not None else _deepcopy_type(value, memo)


def _deepcopy_type(self: DynamoType, memo: dict[int, Any]) -> DynamoType:
    result = self.__class__.__new__(self.__class__)
    memo[id(self)] = result
    result.type = self.type
    if self.is_list():
        result.value = [_copied(v, memo) for v in self.value]
    elif self.is_map():
        result.value = {k: _copied(v, memo) for k, v in self.value.items()}
    elif self.is_set():
        result.value = list(self.value)
    else:
        result.value = self.value
    return result


def _deepcopy_item(self: Item, memo: dict[int, Any]) -> Item:
    result = cast(Item, self.__class__.__new__(self.__class__))
    memo[id(self)] = result
    result.hash_key = _copied(self.hash_key, memo)
    result.range_key = _copied(self.range_key, memo)
    attrs = LimitedSizeDict.__new__(LimitedSizeDict)  # as moto: no size check, the item passed it
    dict.__init__(attrs)
    for key, value in self.attrs.items():
        dict.__setitem__(attrs, key, _copied(value, memo))
    result.attrs = attrs
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, DynamoType):
        return _to_regular_json(value)
    return value if type(value) in _IMMUTABLE else copy.deepcopy(value)


def _to_regular_json(self: DynamoType) -> dict[str, Any]:
    value = self.value
    if isinstance(value, dict):
        value = {key: _plain(nested) for key, nested in value.items()}
    elif isinstance(value, list):
        value = [_plain(nested) for nested in value]
    elif type(value) not in _IMMUTABLE:
        value = copy.deepcopy(value)
    if self.is_binary() and isinstance(value, str):
        value = base64.b64decode(value)
    return {self.type: value}


def install() -> dict[str, Callable[..., Any]]:
    """Patch moto's copies and conversions of items; returns what it replaced, by name."""
    originals: dict[str, Callable[..., Any]] = {
        "DynamoType.__deepcopy__": DynamoType.__deepcopy__,
        "Item.__deepcopy__": Item.__deepcopy__,
        "DynamoType.to_regular_json": DynamoType.to_regular_json,
    }
    DynamoType.__deepcopy__ = _deepcopy_type  # type: ignore[method-assign]
    Item.__deepcopy__ = _deepcopy_item  # type: ignore[method-assign]
    DynamoType.to_regular_json = _to_regular_json  # type: ignore[method-assign]
    return originals

"""moto's DynamoDB answers written at the cost of json.dumps, not of a walk of the service model.

moto writes every response by walking botocore's output shape: for each attribute of each item it builds a
picker context, tries the ten members of `AttributeValue` (S, N, B, SS, NS, BS, M, L, NULL, BOOL) under
several spellings, and recurses. Listing 25 incidents spent ~80% of its 60 ms there, and it is a third of
every DynamoDB call the router makes.

An `AttributeValue` that moto's DynamoDB backend returns is already in wire form (`dynamo_to_dict`): one
type key and its value, binary values as raw bytes. So the JSON serialiser writes a map of attribute values
(an item, a key) and a lone attribute value straight: strings and numbers as they are, binary values in
base64, maps and lists recursively, exactly as moto's own walk writes them. Everything around the items
(Count, LastEvaluatedKey's envelope, ConsumedCapacity, errors) still goes through moto's serialiser.
Before that, every answer is turned into plain values by `dynamo_to_dict`, which asks four questions of
each string and number in it (a datetime? a DynamoType? has it `to_json`? a dict or list?). `to_dict`
answers those by the exact type first (a str, int, float, bool, None or bytes is returned as it is; a
plain dict or list recursed into) and leaves anything else to moto's function.
tests/integration/test_moto_serialize.py runs DynamoDB calls both ways and compares the bodies.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import moto.dynamodb.models.utilities as moto_utilities
import moto.dynamodb.responses as moto_dynamodb_responses
from moto.core.serialize import BaseJSONSerializer

ATTRIBUTE_VALUE = "AttributeValue"
_STRINGS = frozenset({"S", "N"})
_STRING_SETS = frozenset({"SS", "NS"})


def _blob(value: str | bytes) -> str:
    """As moto's `_base64`: text is encoded first, then base64 without trailing whitespace."""
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return base64.b64encode(raw).strip().decode("utf-8")


def attribute_value(value: dict[str, Any]) -> dict[str, Any]:
    """One attribute value in wire form, as moto's walk of the `AttributeValue` shape writes it."""
    out: dict[str, Any] = {}
    for kind, inner in value.items():
        if inner is None:
            continue  # moto skips a member whose value is None
        if kind in _STRINGS:
            out[kind] = str(inner) if inner not in ([], {}) else inner
        elif kind in _STRING_SETS:
            out[kind] = [str(v) for v in inner]
        elif kind == "B":
            out[kind] = _blob(inner)
        elif kind == "BS":
            out[kind] = [_blob(v) for v in inner]
        elif kind == "M":
            out[kind] = attribute_map(inner)
        elif kind == "L":
            out[kind] = [attribute_value(v) for v in inner]
        elif kind in ("NULL", "BOOL"):
            out[kind] = inner
        else:
            raise _NotWireForm(kind)
    return out


def attribute_map(value: dict[str, Any]) -> dict[str, Any]:
    return {str(name): attribute_value(inner) for name, inner in value.items()}


class _NotWireForm(Exception):
    """A value this module does not know: moto's own walk serialises it instead."""


def _is_attribute_value(shape: Any) -> bool:
    return getattr(shape, "name", None) == ATTRIBUTE_VALUE


def _fast(
    original: Callable[..., None],
    applies: Callable[[Any, Any, str], bool],
    write: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[..., None]:
    """moto's serialiser method `original`, writing a dict in wire form straight where `applies`."""

    def serialize(self: BaseJSONSerializer, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if isinstance(value, dict) and applies(shape, value, key):
            try:
                written = write(value)
            except (_NotWireForm, TypeError, AttributeError):
                pass  # not what moto's DynamoDB writes: moto's own walk below
            else:
                self._default_serialize(serialized, written, shape, key)
                return
        original(self, serialized, value, shape, key)

    return serialize


_AS_THEY_ARE = frozenset({str, int, float, bool, type(None), bytes})  # none has to_json or is a datetime
_DYNAMO_TO_DICT = moto_utilities.dynamo_to_dict


def to_dict(obj: Any) -> Any:
    """`dynamo_to_dict`: the same answer, its commonest cases decided by the value's exact type."""
    kind = type(obj)
    if kind in _AS_THEY_ARE:
        return obj
    if kind is dict:
        return {k: to_dict(v) for k, v in obj.items()}
    if kind is list:
        return [to_dict(v) for v in obj]
    return _DYNAMO_TO_DICT(obj)  # a DynamoType, a datetime, an object with to_json: recursing through to_dict


def install() -> dict[str, Callable[..., Any]]:
    """Patch moto's JSON serialiser and `dynamo_to_dict`; returns what it replaced, by name."""
    originals: dict[str, Callable[..., Any]] = {
        "BaseJSONSerializer._serialize_type_structure": BaseJSONSerializer._serialize_type_structure,
        "BaseJSONSerializer._serialize_type_map": BaseJSONSerializer._serialize_type_map,
        "dynamo_to_dict": _DYNAMO_TO_DICT,
    }
    moto_utilities.dynamo_to_dict = to_dict  # moto's own function recurses through this name
    moto_dynamodb_responses.dynamo_to_dict = to_dict  # imported by name where answers are made
    BaseJSONSerializer._serialize_type_structure = _fast(  # type: ignore[method-assign]
        originals["BaseJSONSerializer._serialize_type_structure"],
        lambda shape, value, key: bool(key) and _is_attribute_value(shape),  # a lone attribute value
        attribute_value,
    )
    BaseJSONSerializer._serialize_type_map = _fast(  # type: ignore[method-assign]
        originals["BaseJSONSerializer._serialize_type_map"],
        lambda shape, value, key: _is_attribute_value(getattr(shape, "value", None)),  # an item, a key
        attribute_map,
    )
    return originals

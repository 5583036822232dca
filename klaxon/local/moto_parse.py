"""DynamoDB attribute values read from JSON at the cost of a dict walk, not of a walk of the service model.

Every DynamoDB call the emulation answers reads its items twice by walking botocore's service model: moto
parses the request with its JSON parser, and botocore parses moto's answer with its own (in
klaxon.local.moto_direct). For each attribute of each item both build a handler name, try the ten members of
`AttributeValue` (S, N, B, SS, NS, BS, M, L, NULL, BOOL) in the model's order, and recurse: ~120 calls for
an incident of three alerts, and a fifth of a GetItem.

What both walks do to one `AttributeValue` is small, and the same in both (DynamoDB's protocol is plain
JSON, whose parsers leave strings, numbers as strings, booleans and nulls as JSON gives them):
- a member absent, or null, is left out; a key that is not a member is dropped;
- B is decoded by the parser's blob parser (base64), and each member of BS (botocore keeps a null member of
  any list as null; moto reads it, and its blob parser refuses it);
- SS and NS become lists of their members as they are;
- M becomes a dict of attribute values, L a list of them (recursively), a null among them stays None;
- the members come out in the model's order.
`attribute_value` does that directly. `install` gives it to moto's JSON request parser for DynamoDB (when
the parser builds plain dicts, as moto's DynamoDB handler asks), and `ResponseParser` to botocore's JSON
response parser for the short path. tests/integration/test_moto_parse.py holds both to the walks they
replace on generated values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import Shape
from botocore.parsers import JSONParser
from moto.core.parse import BaseJSONParser as MotoJSONParser

from klaxon.local.moto_serialize import ATTRIBUTE_VALUE

SERVICE = "dynamodb"
# botocore's members of AttributeValue, in the model's order (the test checks the model still says so).
MEMBERS = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
_AS_THEY_ARE = frozenset({"S", "N", "NULL", "BOOL"})
_LISTED = frozenset({"SS", "NS"})

Blobs = Callable[[Any], bytes]


def attribute_value(raw: Any, blob: Blobs, sparse: bool) -> dict[str, Any] | None:
    """One AttributeValue as the JSON parsers read it from its JSON form: `blob` decodes a binary value,
    and a `sparse` parser (botocore's) keeps a null in a list as it is instead of reading it."""
    if raw is None:
        return None
    if type(raw) is dict and len(raw) == 1:  # one member: nothing to order
        ((kind, inner),) = raw.items()
        return {kind: _member(kind, inner, blob, sparse)} if kind in MEMBERS and inner is not None else {}
    out: dict[str, Any] = {}
    for kind in MEMBERS:
        inner = raw.get(kind)  # not a dict: AttributeError, as the walks raise
        if inner is not None:
            out[kind] = _member(kind, inner, blob, sparse)
    return out


def _member(kind: str, inner: Any, blob: Blobs, sparse: bool) -> Any:
    if kind in _AS_THEY_ARE:
        return inner
    if kind in _LISTED:
        return list(inner)
    if kind == "B":
        return blob(inner)
    if kind == "BS":
        return [None if value is None and sparse else blob(value) for value in inner]
    if kind == "M":
        return {key: attribute_value(value, blob, sparse) for key, value in inner.items()}
    return [attribute_value(value, blob, sparse) for value in inner]  # L: a null reads as null either way


class ResponseParser(JSONParser):
    """botocore's parser for a DynamoDB answer, reading attribute values directly."""

    def _handle_structure(self, shape: Shape, value: Any) -> Any:
        if shape.name == ATTRIBUTE_VALUE:
            return attribute_value(value, self._blob_parser, sparse=True)
        return super()._handle_structure(shape, value)


def _requests_read_directly(original: Callable[..., Any]) -> Callable[..., Any]:
    def _parse_structure(self: MotoJSONParser, shape: Shape, value: Any) -> Any:
        if (
            shape.name == ATTRIBUTE_VALUE
            and self.MAP_TYPE is dict
            and self.operation_model.service_model.service_name == SERVICE
        ):
            return attribute_value(value, self._blob_parser, sparse=False)
        return original(self, shape, value)

    return _parse_structure


def install() -> dict[str, Callable[..., Any]]:
    """Give moto's JSON request parser the direct reading for DynamoDB; returns what it replaced, by name."""
    original = MotoJSONParser._parse_structure
    MotoJSONParser._parse_structure = _requests_read_directly(original)  # type: ignore[method-assign]
    return {"moto.core.parse.BaseJSONParser._parse_structure": original}

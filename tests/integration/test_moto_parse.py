"""klaxon.local.moto_parse: an attribute value is read as botocore's and moto's JSON parsers read it."""

from __future__ import annotations

import base64
from typing import Any

import botocore.parsers
import botocore.session
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from moto.core import parse as moto_parse_module

from klaxon.local import moto_parse, moto_speed
from tests.integration.moto_originals import motos_own
from tests.integration.source_digest import source_digest

moto_speed.install()  # once per process, as the emulation does: moto's parser reads directly from here on

SERVICE = botocore.session.get_session().get_service_model("dynamodb")
SHAPE = SERVICE.shape_for(moto_parse.ATTRIBUTE_VALUE)
MOTOS = "moto.core.parse.BaseJSONParser._parse_structure"

# sha256 (first 16 digits) of the parsers' code moto_parse mirrors (botocore and moto as pinned): a change
# means reading it again and updating moto_parse first.
MIRRORED = {
    "botocore BaseJSONParser._handle_structure": (
        "c0149450e9824bc3",
        lambda: botocore.parsers.BaseJSONParser._handle_structure,
    ),
    "botocore BaseJSONParser._handle_map": (
        "2bbe776e7fdf4c4a",
        lambda: botocore.parsers.BaseJSONParser._handle_map,
    ),
    "botocore BaseJSONParser._handle_blob": (
        "12bc8bd5bed34800",
        lambda: botocore.parsers.BaseJSONParser._handle_blob,
    ),
    "botocore ResponseParser._handle_list": (
        "7e734103cb6423b8",
        lambda: botocore.parsers.ResponseParser._handle_list,
    ),
    "botocore ResponseParser._parse_shape": (
        "448f05949c380e13",
        lambda: botocore.parsers.ResponseParser._parse_shape,
    ),
    "moto BaseJSONParser._parse_structure": ("2de165721ba4b69e", lambda: moto_speed.ORIGINALS[MOTOS]),
    "moto BaseJSONParser._parse_blob": (
        "4d0f79b18cc3bcc3",
        lambda: moto_parse_module.BaseJSONParser._parse_blob,
    ),
    "moto RequestParser._parse_list": (
        "e2539182995b831e",
        lambda: moto_parse_module.RequestParser._parse_list,
    ),
    "moto RequestParser._parse_map": ("a9e8feb4d5519e24", lambda: moto_parse_module.RequestParser._parse_map),
    "moto RequestParser._parse_shape": (
        "86db10854efaf7e3",
        lambda: moto_parse_module.RequestParser._parse_shape,
    ),
}

text = st.text(max_size=6)
blobs = st.binary(max_size=6).map(lambda b: base64.b64encode(b).decode())
scalars = st.one_of(
    text.map(lambda s: {"S": s}),
    st.integers().map(lambda n: {"N": str(n)}),
    blobs.map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(text, max_size=3).map(lambda v: {"SS": v}),
    st.lists(st.integers().map(str), max_size=3).map(lambda v: {"NS": v}),
    st.lists(blobs, max_size=3).map(lambda v: {"BS": v}),
)
# What no service sends but a parser still reads: a null in a list, an attribute value that is no object.
nulls = st.sampled_from(
    [{"SS": ["a", None]}, {"NS": [None]}, {"BS": [None]}, {"L": [None]}, {"M": {"a": None}}]
)
not_objects = st.sampled_from([5, "S", ["S"], True]).map(lambda v: {"L": [v]})
# What no service sends but a parser still reads: several members, a null member, a key that is no member.
odd = st.dictionaries(
    st.sampled_from([*moto_parse.MEMBERS, "X", "s"]),
    st.one_of(st.none(), text, st.booleans()),
    max_size=3,
).filter(lambda d: not any(k in ("B", "M", "L", "SS", "NS", "BS") for k in d))
values = st.recursive(
    st.one_of(scalars, odd, nulls, not_objects),
    lambda inner: st.one_of(
        st.lists(st.one_of(inner, st.none()), max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(text, st.one_of(inner, st.none()), max_size=3).map(lambda v: {"M": v}),
        st.tuples(inner, inner).map(lambda pair: {**pair[0], **pair[1]}),  # two members at once
    ),
    max_leaves=12,
)


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_the_parsers_code_moto_parse_mirrors_is_unchanged(name: str) -> None:
    expected, found = MIRRORED[name]
    assert source_digest(found()) == expected, f"{name} changed: read it, then update moto_parse"


def test_the_model_lists_the_members_in_the_order_read_and_dynamodb_speaks_json() -> None:
    assert tuple(SHAPE.members) == moto_parse.MEMBERS
    assert SERVICE.metadata["protocol"] == "json"


def _motos(value: Any) -> Any:
    parser = moto_parse_module.JSONParser(SERVICE.operation_model("PutItem"), map_type=dict)
    return parser._parse_shape(SHAPE, value)


def _read(parse: Any, value: Any) -> Any:
    """What a parser makes of the value: the value with its members' order, or the error it raises."""
    try:
        parsed = parse(value)
    except Exception as error:  # the walk's own error is the answer to compare
        return type(error)
    return parsed, _order(parsed)


def _order(value: Any) -> Any:
    if isinstance(value, dict):
        return [(key, _order(inner)) for key, inner in value.items()]
    if isinstance(value, list):
        return [_order(inner) for inner in value]
    return value


@given(values)
@example({"M": {"a": None, "b": {"L": [None, {"S": "x"}]}}})
@example({"S": "a", "N": "1", "X": "dropped"})
@example({"BS": [None]})
@example({"L": [5]})
@example({"S": None})
@example({})
def test_an_attribute_value_reads_as_the_parsers_walk_reads_it(value: dict[str, Any]) -> None:
    botocores_own = _read(lambda v: botocore.parsers.JSONParser()._parse_shape(SHAPE, v), value)
    assert _read(lambda v: moto_parse.ResponseParser()._parse_shape(SHAPE, v), value) == botocores_own
    with motos_own((moto_parse_module.BaseJSONParser, "_parse_structure", moto_speed.ORIGINALS[MOTOS])):
        motos = _read(_motos, value)
    assert _read(_motos, value) == motos


def test_moto_reads_dynamodbs_attribute_values_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[Any] = []
    monkeypatch.setattr(moto_parse, "attribute_value", lambda value, blob, sparse: read.append(value) or {})
    _motos({"S": "x"})
    assert read == [{"S": "x"}]

"""klaxon.local.moto_sizes: DynamoDB item sizes counted as moto counts them, without its copies, and items
built with each attribute sized once; the 400 KB limit still refuses what moto's own code refuses."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

from klaxon.local import moto_sizes, moto_speed
from tests.integration.moto_originals import keyed_table, motos_own
from tests.integration.source_digest import source_digest

# sha256 (first 16 digits) of the source of each moto function moto_sizes replaces or relies on (moto as
# pinned): a change means reading the new code and updating moto_sizes first.
MIRRORED = {
    "DynamoType.size": ("f7c111fca25b4c5e", lambda: moto_speed.ORIGINALS["DynamoType.size"]),
    "DynamoType.__init__": ("7c6cde92e1149bfe", lambda: DynamoType.__init__),  # wraps lists' and maps' values
    "Item.__init__": ("d9c12b62cb921831", lambda: moto_speed.ORIGINALS["Item.__init__"]),
    "LimitedSizeDict.__setitem__": (
        "d979580fdbe14f79",
        lambda: LimitedSizeDict.__setitem__,
    ),  # the 400 KB check
}

text = st.text(max_size=12)  # any characters: UTF-8 lengths differ from character counts
numbers = st.one_of(
    st.integers(-(10**12), 10**12), st.decimals(allow_nan=False, allow_infinity=False, places=3)
)
scalars = st.one_of(
    text.map(lambda s: {"S": s}),
    numbers.map(lambda n: {"N": str(n)}),
    st.binary(max_size=8).map(lambda b: {"B": base64.b64encode(b).decode()}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(text, min_size=1, max_size=5, unique=True).map(lambda v: {"SS": v}),
    st.lists(numbers.map(str), min_size=1, max_size=5, unique=True).map(lambda v: {"NS": v}),
    st.lists(st.binary(min_size=1, max_size=4), min_size=1, max_size=3, unique=True).map(
        lambda v: {"BS": [base64.b64encode(b).decode() for b in v]}
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda v: {"L": v}),
        st.dictionaries(text, inner, max_size=4).map(lambda v: {"M": v}),
    ),
    max_leaves=20,
)


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_the_code_moto_sizes_replaces_is_unchanged(name: str, moto_alone: Any) -> None:
    expected, found = MIRRORED[name]
    assert source_digest(found()) == expected, f"moto changed {name}: read it, then update moto_sizes"


@settings(max_examples=300)
@given(values)
def test_a_value_is_the_size_moto_counts(value: dict[str, Any]) -> None:
    moto_size = moto_speed.ORIGINALS.get("DynamoType.size", DynamoType.size)
    assert moto_sizes.size(DynamoType(value)) == moto_size(DynamoType(value))


def _built(attrs: dict[str, Any]) -> Any:
    """What building an item of `attrs` gives: its attributes, or the error it raised."""
    try:
        item = Item(DynamoType({"S": "pk"}), None, attrs)
    except ItemSizeTooLarge:
        return "too large"
    assert type(item.attrs) is LimitedSizeDict  # later updates still check the limit at each attribute set
    return list(item.attrs.items())


@settings(max_examples=200)
@given(st.dictionaries(text.filter(lambda k: k != "pad"), values, max_size=8), st.integers(0, 8))
def test_an_item_is_built_as_moto_builds_it(attrs: dict[str, Any], at: int) -> None:
    """The same attributes in the same order, and refused exactly when moto refuses: a padding attribute,
    put at any place, brings the item to the limit or one byte past it."""
    moto_size = moto_speed.ORIGINALS.get("DynamoType.size", DynamoType.size)
    size = sum(len(k.encode()) + moto_size(DynamoType(v)) for k, v in attrs.items())
    names = list(attrs)
    for past, expected_refused in ((0, False), (1, True)):
        padding = {"S": "p" * (moto_sizes.ITEM_SIZE_LIMIT - size - len("pad") + past)}
        case = {k: attrs.get(k, padding) for k in [*names[:at], "pad", *names[at:]]}
        ours = _built(case)
        with motos_own((Item, "__init__", moto_speed.ORIGINALS["Item.__init__"])):
            motos = _built(case)
        assert ours == motos
        assert (ours == "too large") is expected_refused
    assert _built(attrs) == [(k, DynamoType(v)) for k, v in attrs.items()]


def _put_then_grow(ddb: Any, table: str, first: int, more: int) -> Any:
    ddb.put_item(TableName=table, Item={"pk": {"S": "big"}, "a": {"S": "x" * first}})
    try:
        ddb.update_item(
            TableName=table,
            Key={"pk": {"S": "big"}},
            UpdateExpression="SET b = :b",
            ExpressionAttributeValues={":b": {"SS": [f"{n:07d}" + "y" * 93 for n in range(more)]}},
        )
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    return "stored"


def test_the_item_size_limit_refuses_what_moto_refuses(moto_alone: Any) -> None:
    ddb = moto_alone
    keyed_table(ddb, "sizes")
    cases = [(300_000, 1_000), (300_000, 1_100)]  # just under and just over 405,000 bytes
    ours = [_put_then_grow(ddb, "sizes", *case) for case in cases]
    with motos_own((DynamoType, "size", moto_speed.ORIGINALS["DynamoType.size"])):
        motos = [_put_then_grow(ddb, "sizes", *case) for case in cases]
    assert ours == motos == ["stored", "ValidationException"]

"""klaxon.local.moto_serialize: every DynamoDB answer reads exactly as moto's own serialiser writes it.

Each call is made twice, on twin tables: once with the fast path and once with moto's original
serialiser restored, and the bodies the client receives are compared.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

import moto.dynamodb.models.utilities as moto_utilities
import moto.dynamodb.responses as moto_dynamodb_responses
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.core import serialize
from moto.core.serialize import BaseJSONSerializer
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from klaxon.local import emulation, moto_direct, moto_serialize, moto_speed
from tests.integration.moto_originals import motos_own, streamed_table
from tests.integration.source_digest import source_digest

REGION = emulation.REGION
_names = itertools.count()

# The two functions the fast path replaces, and where moto's dynamo_to_dict is replaced.
REPLACED = ("BaseJSONSerializer._serialize_type_structure", "BaseJSONSerializer._serialize_type_map")
DYNAMO_TO_DICT = (moto_utilities, moto_dynamodb_responses)
# sha256 (first 16 digits) of moto 5.2.5's code the fast path replaces or mirrors (moto's walk of an
# AttributeValue): a change means reading it again and updating moto_serialize first.
MIRRORED = {
    "BaseJSONSerializer._serialize_type_structure": "36873909cd0aeb4d",
    "BaseJSONSerializer._serialize_type_map": "faa32d1fa9a8bfc9",
    "BaseJSONSerializer._serialize_type_list": "f87b14fe9166e099",
    "BaseJSONSerializer._serialize_type_string": "44954e02145012ba",
    "ResponseSerializer._serialize_type_structure": "f9b47068f40ce489",
    "ResponseSerializer._serialize_structure_member": "437fdce43aa5ac84",
    "ResponseSerializer._serialize_type_blob": "acd7e746cf06090e",
    "ResponseSerializer._base64": "5a3642d8c2a14b24",
    "ResponseSerializer._default_serialize": "25ce8ddbb1a991c0",
}


@pytest.fixture
def aws(moto_alone: Any) -> Any:
    return moto_direct.bypass(moto_alone)  # the bodies are read at parsing


@pytest.mark.parametrize("qualname", sorted(MIRRORED))
def test_the_moto_code_the_fast_path_mirrors_is_unchanged(qualname, aws):
    owner, name = qualname.split(".")
    found = moto_speed.ORIGINALS.get(qualname) or vars(vars(serialize)[owner])[name]
    assert source_digest(found) == MIRRORED[qualname], (
        f"moto changed {qualname}: read it, then update moto_serialize"
    )


def test_the_fast_path_is_installed(aws):
    for qualname in REPLACED:
        assert vars(BaseJSONSerializer)[qualname.split(".")[1]] is not moto_speed.ORIGINALS[qualname]


def _both_ways(client: Any, call: Any, fast_table: str, slow_table: str) -> tuple[Any, Any]:
    """The JSON body the client received for `call(table)`: on one table with the fast path, then on its
    twin (same writes so far) with moto's own serialiser; the twin's name read as the first's."""
    bodies: list[Any] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        bodies.append(json.loads(response_dict["body"].decode().replace(slow_table, fast_table)))

    client.meta.events.register("before-parse", keep)
    try:
        call(fast_table)
        with motos_own(
            *[(BaseJSONSerializer, n.split(".")[1], moto_speed.ORIGINALS[n]) for n in REPLACED],
            *[(owner, "dynamo_to_dict", moto_speed.ORIGINALS["dynamo_to_dict"]) for owner in DYNAMO_TO_DICT],
        ):
            call(slow_table)
    finally:
        client.meta.events.unregister("before-parse", keep)
    fast, slow = bodies
    return fast, slow


def _table(client: Any) -> str:
    return streamed_table(client, f"serialize-{next(_names)}")


_text = st.text(max_size=8)
_number = st.integers(-(10**6), 10**6).map(str) | st.sampled_from(["1.5", "-0.25", "1E+3"])
_blob = st.binary(max_size=8)
_leaf = st.one_of(
    _text.map(lambda v: {"S": v}),
    _number.map(lambda v: {"N": v}),
    _blob.map(lambda v: {"B": v}),
    st.booleans().map(lambda v: {"BOOL": v}),
    st.just({"NULL": True}),
    st.sets(_text, min_size=1, max_size=3).map(lambda v: {"SS": sorted(v)}),
    st.sets(st.integers(0, 99).map(str), min_size=1, max_size=3).map(lambda v: {"NS": sorted(v)}),
    st.sets(_blob, min_size=1, max_size=3).map(lambda v: {"BS": sorted(v)}),
)
_value = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3).map(lambda v: {"M": v}),
    ),
    max_leaves=8,
)
_attributes = st.dictionaries(
    st.text(min_size=1, max_size=6).filter(lambda n: n not in ("pk", "sk")), _value, max_size=5
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(_attributes, min_size=1, max_size=4))
def test_every_item_call_answers_as_moto_answers(aws, items):
    client, tables = aws, (_table(aws), _table(aws))
    keys = [{"pk": {"S": "p"}, "sk": {"S": f"{n:03d}"}} for n in range(len(items))]
    calls = [
        lambda name, key=key, attributes=attributes: client.put_item(
            TableName=name, Item=key | attributes, ReturnValues="ALL_OLD"
        )
        for key, attributes in zip(keys, items, strict=True)
    ]
    calls += [
        lambda name: client.put_item(TableName=name, Item=keys[0] | items[-1], ReturnValues="ALL_OLD"),
        lambda name: client.get_item(TableName=name, Key=keys[0]),
        lambda name: client.query(
            TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}
        ),
        lambda name: client.query(
            TableName=name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
            Limit=1,
            ReturnConsumedCapacity="TOTAL",
        ),
        lambda name: client.scan(TableName=name),
        lambda name: client.batch_get_item(RequestItems={name: {"Keys": keys}}),
        lambda name: client.transact_get_items(
            TransactItems=[{"Get": {"TableName": name, "Key": k}} for k in keys]
        ),
        lambda name: client.update_item(
            TableName=name,
            Key=keys[0],
            UpdateExpression="SET touched = :t",
            ExpressionAttributeValues={":t": {"L": [{"N": "1"}, {"M": {"a": {"B": b"\x00"}}}]}},
            ReturnValues="ALL_NEW",
        ),
        lambda name: client.delete_item(TableName=name, Key=keys[-1], ReturnValues="ALL_OLD"),
    ]
    for call in calls:
        fast, slow = _both_ways(client, call, *tables)
        assert fast == slow


def test_a_value_the_fast_path_does_not_know_is_left_to_moto():
    with pytest.raises(moto_serialize._NotWireForm):
        moto_serialize.attribute_value({"X": "?"})
    assert moto_serialize.attribute_map({"a": {"S": "x"}, "b": {"M": {"c": {"B": b"\xff"}}}}) == {
        "a": {"S": "x"},
        "b": {"M": {"c": {"B": "/w=="}}},
    }


def test_dynamo_to_dict_is_unchanged(aws):
    assert source_digest(moto_speed.ORIGINALS["dynamo_to_dict"]) == "80f600124c13ddcb", (
        "moto changed dynamo_to_dict: read it, then update moto_serialize.to_dict"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attributes=_attributes, raw=st.lists(_value, max_size=3))
def test_to_dict_answers_as_dynamo_to_dict(aws, attributes, raw):
    """Items, lone DynamoTypes, raw wire values, a datetime and numbers, as moto's answers hold them."""
    item = Item(DynamoType({"S": "p"}), None, attributes)
    answer = {
        "Item": item,  # to_json()
        "Attributes": item.to_json()["Attributes"],
        "Values": [DynamoType(v) for v in raw],
        "Raw": raw,
        "When": datetime(2026, 12, 6, tzinfo=UTC),
        "Count": 3,
        "Ratio": 0.5,
        "Done": None,
    }
    ours = moto_serialize.to_dict(answer)
    with motos_own(*[(o, "dynamo_to_dict", moto_speed.ORIGINALS["dynamo_to_dict"]) for o in DYNAMO_TO_DICT]):
        theirs = moto_speed.ORIGINALS["dynamo_to_dict"](answer)
    assert ours == theirs
    assert _kinds(ours) == _kinds(theirs)  # bytes stay bytes, lists stay lists


def _kinds(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _kinds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_kinds(v) for v in value]
    return type(value).__name__

"""klaxon.local.moto_direct: a DynamoDB call answered without the HTTP round trip returns what the round
trip returns, errors included.

Each call is made twice, on twin tables: once through the short path, once through botocore's endpoint
and moto's stubber; what botocore hands back (or the error it raises) is compared, the twin's name read as
the first's and the parts that differ per request (its id, its date) left out.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from klaxon.local import emulation, moto_direct
from tests.integration.source_digest import source_digest

_names = itertools.count()
PER_REQUEST = ("RequestId", "date", "x-amzn-requestid", "x-amz-crc32", "content-length")
MIRRORED = {  # sha256 (first 16 digits), botocore and moto as pinned: what the short path does as they do
    "Endpoint._do_get_response": "e1821119dedea32b",
    "Endpoint._add_modeled_error_fields": "b1920c6acf170ec0",
    "BotocoreStubber.process_request": "f79a1a778c7e755f",
}


def _mirrored() -> dict[str, Any]:
    from botocore.endpoint import Endpoint
    from moto.core.botocore_stubber import BotocoreStubber

    return {
        "Endpoint._do_get_response": Endpoint._do_get_response,
        "Endpoint._add_modeled_error_fields": Endpoint._add_modeled_error_fields,
        "BotocoreStubber.process_request": BotocoreStubber.process_request,
    }


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_the_code_the_short_path_mirrors_is_unchanged(name: str) -> None:
    found = source_digest(_mirrored()[name])
    assert found == MIRRORED[name], f"{name} changed: read it, then update moto_direct"


@pytest.fixture
def clients(moto_alone: Any) -> Iterator[tuple[Any, Any]]:
    """Two DynamoDB clients: one answered by the short path, one that goes the ordinary way."""
    direct = boto3.session.Session().client("dynamodb", region_name=emulation.REGION)
    ordinary = boto3.session.Session().client("dynamodb", region_name=emulation.REGION)
    ordinary.meta.events.unregister(moto_direct.EVENT, moto_direct.answer)
    sent: list[str] = []
    direct.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
    yield direct, ordinary
    assert not sent, "a call of the short path's client went through the endpoint"


def _table(client: Any) -> str:
    name = f"direct-{next(_names)}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name


def _comparable(value: Any, twin: str, table: str) -> Any:
    if isinstance(value, dict):
        return {k: _comparable(v, twin, table) for k, v in value.items() if k not in PER_REQUEST}
    if isinstance(value, list | tuple):
        return [_comparable(v, twin, table) for v in value]
    if isinstance(value, str):
        return value.replace(twin, table)
    return value


def _outcome(call: Callable[[str], Any], table: str) -> Any:
    try:
        return "ok", call(table)
    except ClientError as error:
        return type(error).__name__, error.response


def _both_ways(clients: tuple[Any, Any], *calls: Callable[[Any, str], Any]) -> None:
    direct, ordinary = clients
    table, twin = _table(direct), _table(direct)
    for call in calls:
        ours = _outcome(functools.partial(call, direct), table)
        theirs = _outcome(functools.partial(call, ordinary), twin)
        assert _comparable(ours, twin, table) == _comparable(theirs, twin, table)


ITEM = {
    "pk": {"S": "incident"},
    "sk": {"S": "1"},
    "blob": {"B": b"\x00\xffbytes"},
    "blobs": {"BS": [b"a", b"\x01"]},
    "numbers": {"NS": ["1", "2.5"]},
    "alerts": {"M": {"fp": {"M": {"labels": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}]}}}}},
}
KEY = {"pk": {"S": "incident"}, "sk": {"S": "1"}}


def test_reads_and_writes_answer_as_the_round_trip(clients: tuple[Any, Any]) -> None:
    _both_ways(
        clients,
        lambda c, t: c.put_item(TableName=t, Item=ITEM, ReturnConsumedCapacity="TOTAL"),
        lambda c, t: c.get_item(TableName=t, Key=KEY, ConsistentRead=True),
        lambda c, t: c.get_item(TableName=t, Key=KEY, ProjectionExpression="blob, alerts.fp"),
        lambda c, t: c.update_item(
            TableName=t,
            Key=KEY,
            UpdateExpression="SET #s = :s ADD numbers :n",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "triggered"}, ":n": {"NS": ["3"]}},
            ReturnValues="ALL_NEW",
        ),
        lambda c, t: c.query(
            TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "incident"}}
        ),
        lambda c, t: c.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": t, "Item": {**KEY, "sk": {"S": "2"}}}},
                {"Delete": {"TableName": t, "Key": KEY}},
            ]
        ),
        lambda c, t: c.get_item(TableName=t, Key=KEY),  # gone: no Item at all
    )


def test_errors_raise_as_the_round_trip_raises_them(clients: tuple[Any, Any]) -> None:
    _both_ways(
        clients,
        lambda c, t: c.put_item(TableName=t, Item=ITEM),
        lambda c, t: c.put_item(  # the item as it was, in the error
            TableName=t,
            Item=ITEM,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        ),
        lambda c, t: c.transact_write_items(  # the reasons, one per action, in the error
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": t,
                        "Key": KEY,
                        "ConditionExpression": "attribute_not_exists(sk)",
                    }
                },
                {"Put": {"TableName": t, "Item": {**KEY, "sk": {"S": "3"}}}},
            ]
        ),
        lambda c, t: c.update_item(TableName=t, Key=KEY, UpdateExpression="SET"),  # a validation error
        lambda c, t: c.get_item(TableName=f"{t}-missing", Key=KEY),  # no such table
    )


def test_a_url_that_is_not_motos_dynamodb_goes_the_ordinary_way(moto_alone: Any) -> None:
    assert moto_direct._dispatcher("http://localhost:8000/") is None
    assert moto_direct._dispatcher("https://sqs.us-east-1.amazonaws.com/") is None
    assert moto_direct._dispatcher("https://dynamodb.us-east-1.amazonaws.com/") is not None


def test_with_moto_stopped_a_call_goes_the_ordinary_way(moto_alone: Any, monkeypatch: Any) -> None:
    from moto.core.models import botocore_stubber

    monkeypatch.setattr(botocore_stubber, "enabled", False)
    url = "https://dynamodb.us-east-1.amazonaws.com/"
    assert moto_direct.answer(model=None, params={"url": url}, request_signer=None) is None  # type: ignore[arg-type]

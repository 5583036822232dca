"""klaxon.local.moto_direct: a call answered without the HTTP round trip returns what the round trip
returns, errors included, for each service it answers.

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
import botocore.session
import pytest
from botocore.exceptions import ClientError

from klaxon.local import emulation, moto_direct
from tests.integration.moto_originals import streamed_table
from tests.integration.source_digest import source_digest

_names = itertools.count()
PER_REQUEST = (
    "RequestId",
    "date",
    "x-amzn-requestid",
    "x-amz-crc32",
    "content-length",
    "EventId",
    "MessageId",
    "ReceiptHandle",
)
MIRRORED = {  # sha256 (first 16 digits), botocore and moto as pinned: what the short path does as they do
    "BaseClient._make_api_call": "75ba491f61ffbd4e",
    "BaseClient._make_request": "15e9c21fe63e058e",
    "Endpoint._send_request": "af914535237dd087",
    "Endpoint.create_request": "3896032f73c0943e",
    "Endpoint._get_response": "339d0a8e18a49ac7",
    "Endpoint._do_get_response": "e1821119dedea32b",
    "Endpoint._add_modeled_error_fields": "b1920c6acf170ec0",
    "Endpoint._update_retries_context": "f50793020b61fed6",
    "convert_to_response_dict": "4910fc6af731775a",
    "BotocoreStubber.__call__": "6cbb7bf98afec5c8",
    "BotocoreStubber.process_request": "f79a1a778c7e755f",
}


def _mirrored() -> dict[str, Any]:
    from botocore.client import BaseClient
    from botocore.endpoint import Endpoint, convert_to_response_dict
    from moto.core.botocore_stubber import BotocoreStubber

    return {
        "BaseClient._make_api_call": BaseClient._make_api_call,
        "BaseClient._make_request": BaseClient._make_request,
        "Endpoint._send_request": Endpoint._send_request,
        "Endpoint.create_request": Endpoint.create_request,
        "Endpoint._get_response": Endpoint._get_response,
        "Endpoint._do_get_response": Endpoint._do_get_response,
        "Endpoint._add_modeled_error_fields": Endpoint._add_modeled_error_fields,
        "Endpoint._update_retries_context": Endpoint._update_retries_context,
        "convert_to_response_dict": convert_to_response_dict,
        "BotocoreStubber.__call__": BotocoreStubber.__call__,
        "BotocoreStubber.process_request": BotocoreStubber.process_request,
    }


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_the_code_the_short_path_mirrors_is_unchanged(name: str) -> None:
    found = source_digest(_mirrored()[name])
    assert found == MIRRORED[name], f"{name} changed: read it, then update moto_direct"


def test_each_service_answered_is_one_botocore_knows() -> None:
    session = botocore.session.get_session()
    for name in moto_direct.SERVICES.values():
        assert session.get_service_model(name).service_name == name


@pytest.fixture
def pair(moto_alone: Any) -> Iterator[Callable[[str], tuple[Any, Any]]]:
    """Two clients of a service: one answered by the short path, one that goes the ordinary way."""
    sent: list[str] = []

    def clients(service: str) -> tuple[Any, Any]:
        direct = boto3.session.Session().client(service, region_name=emulation.REGION)
        ordinary = moto_direct.bypass(boto3.session.Session().client(service, region_name=emulation.REGION))
        direct.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
        return direct, ordinary

    yield clients
    assert not sent, "a call of the short path's client went through the endpoint"


@pytest.fixture
def clients(pair: Callable[[str], tuple[Any, Any]]) -> tuple[Any, Any]:
    return pair("dynamodb")


def _table(client: Any) -> str:
    return streamed_table(client, f"direct-{next(_names)}")


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


def _both_ways(
    clients: tuple[Any, Any], *calls: Callable[[Any, str], Any], names: tuple[str, str] | None = None
) -> None:
    """Each call made on `table` by the short path, then on `twin` the ordinary way (DynamoDB's twin
    tables unless other names are given), and what botocore returns compared."""
    direct, ordinary = clients
    table, twin = names or (_table(direct), _table(direct))
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


def test_a_url_that_is_not_one_of_the_services_in_moto_goes_the_ordinary_way(moto_alone: Any) -> None:
    assert moto_direct._dispatcher("http://localhost:8000/") is None  # another endpoint_url
    assert moto_direct._dispatcher("https://s3.us-east-1.amazonaws.com/bucket") is None  # S3
    assert moto_direct._dispatcher("https://sqs.us-east-1.amazonaws.com/") is not None
    assert moto_direct._dispatcher("https://dynamodb.us-east-1.amazonaws.com/") is not None


def test_with_moto_stopped_a_call_goes_the_ordinary_way(moto_alone: Any, monkeypatch: Any) -> None:
    from moto.core.models import botocore_stubber

    monkeypatch.setattr(botocore_stubber, "enabled", False)
    model = botocore.session.get_session().get_service_model("dynamodb").operation_model("ListTables")
    params = {"url": "https://dynamodb.us-east-1.amazonaws.com/"}
    assert moto_direct.answer(model=model, params=params, request_signer=None, context={}) is None  # type: ignore[arg-type]


def test_the_page_paths_other_services_answer_as_the_round_trip(
    pair: Callable[[str], tuple[Any, Any]],
) -> None:
    names = (f"direct-{next(_names)}", f"twin-{next(_names)}")
    _both_ways(
        pair("events"),
        lambda c, n: c.create_event_bus(Name=n),
        lambda c, n: c.put_events(
            Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": n}]
        ),
        lambda c, n: c.describe_event_bus(Name=f"{n}-missing"),  # an error
        names=names,
    )
    _both_ways(
        pair("sns"),
        lambda c, n: c.create_topic(Name=n),
        lambda c, n: c.publish(
            TopicArn=f"arn:aws:sns:{emulation.REGION}:{emulation.ACCOUNT}:{n}", Message="m"
        ),
        lambda c, n: c.publish(
            TopicArn=f"arn:aws:sns:{emulation.REGION}:{emulation.ACCOUNT}:{n}-missing", Message="m"
        ),
        names=names,
    )
    _both_ways(
        pair("sqs"),
        lambda c, n: c.create_queue(QueueName=n),
        lambda c, n: c.send_message(QueueUrl=c.get_queue_url(QueueName=n)["QueueUrl"], MessageBody="body"),
        lambda c, n: c.receive_message(
            QueueUrl=c.get_queue_url(QueueName=n)["QueueUrl"]
        ),  # MD5 checked after
        lambda c, n: c.get_queue_url(QueueName=f"{n}-missing"),
        names=names,
    )
    _both_ways(
        pair("stepfunctions"),
        lambda c, n: c.list_state_machines(),
        lambda c, n: c.describe_execution(
            executionArn=f"arn:aws:states:{emulation.REGION}:{emulation.ACCOUNT}:execution:{n}:x"
        ),
        names=names,
    )
    _both_ways(
        pair("lambda"),
        lambda c, n: c.list_functions(),
        lambda c, n: c.get_function(FunctionName=n),  # no such function
        lambda c, n: c.invoke(FunctionName=n, Payload=b"{}"),
        names=names,
    )


def test_the_calls_listeners_hear_it_as_on_the_round_trip(pair: Callable[[str], tuple[Any, Any]]) -> None:
    """Every listener the ordinary way calls, but for the transport's own (`before-send`, `needs-retry`,
    `before-parse`), hears the short path's call: the signer and the retry headers too."""
    direct, ordinary = pair("dynamodb")
    events = ("before-call", "request-created", "response-received", "after-call")
    heard: dict[str, list[str]] = {"direct": [], "ordinary": []}
    headers: dict[str, Any] = {}
    for name, client in (("direct", direct), ("ordinary", ordinary)):
        for event in events:
            client.meta.events.register_first(
                event, lambda event_name, _n=name, **_: heard[_n].append(event_name)
            )
        client.meta.events.register_last(
            "request-created", lambda request, _n=name, **_: headers.setdefault(_n, dict(request.headers))
        )
        client.list_tables()
    assert heard["direct"] == heard["ordinary"] != []
    for name in ("direct", "ordinary"):
        assert {"Authorization", "amz-sdk-invocation-id", "amz-sdk-request"} <= set(headers[name])


def test_an_answer_botocore_would_retry_goes_the_ordinary_way(
    moto_alone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto answers these services with nothing botocore retries; if it did, the call goes the ordinary
    way, which sends it again and retries it as botocore does."""
    from moto.core.exceptions import JsonRESTError
    from moto.dynamodb.models import DynamoDBBackend

    direct = boto3.session.Session().client("dynamodb", region_name=emulation.REGION)
    sent: list[str] = []
    direct.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
    real, throttled = DynamoDBBackend.list_tables, []

    def list_tables(self: Any, *args: Any) -> Any:
        if len(throttled) < 2:
            throttled.append(True)
            raise JsonRESTError("ThrottlingException", "Rate exceeded")
        return real(self, *args)

    monkeypatch.setattr(DynamoDBBackend, "list_tables", list_tables)
    answered = direct.list_tables()
    # The short path's answer thrown away; the ordinary way throttled once more, then retried.
    assert len(throttled) == 2 and len(sent) == 2 and answered["ResponseMetadata"]["RetryAttempts"] == 1

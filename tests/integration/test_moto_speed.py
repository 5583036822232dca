"""klaxon.local.moto_speed and moto_query: moto's answers unchanged, its costs no longer growing.

Each patch is checked against moto's own code: transactions and queries are run both ways and compared.
The canaries fail loudly when a moto upgrade changes what the patches replace or mirror.
"""

from __future__ import annotations

import inspect
import itertools
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klaxon.local import emulation, moto_query, moto_speed
from tests.integration.source_digest import source_digest

ACCOUNT, REGION, OTHER_REGION = emulation.ACCOUNT, emulation.REGION, "eu-west-1"
_names = itertools.count()

# sha256 (first 16 digits) of the source of each moto function the patches replace or mirror, as of
# moto 5.2.5: a change means reading the new code and updating the mirror in moto_speed / moto_query first.
MIRRORED = {
    "BaseModel.__new__": ("moto.core.common_models", "08cf0ef20e88029a"),
    "DynamoDBBackend.transact_write_items": ("moto.dynamodb.models", "81db2cb7d94e39c9"),
    "DynamoDBBackend.update_item": ("moto.dynamodb.models", "218984588dd689a5"),
    "Table.query": ("moto.dynamodb.models.table", "002b4d00be6df07c"),
    "Table._item_comes_before_dct": ("moto.dynamodb.models.table", "6d70f41f7cb059f4"),
    "Table.sorted_items": ("moto.dynamodb.models.table", "216dac1cd6b659d2"),
    "Table.put_item": ("moto.dynamodb.models.table", "de23933013ef8426"),
    "Table.delete_item": ("moto.dynamodb.models.table", "1594f7b07616c8cb"),
    "DynamoType.__eq__": ("moto.dynamodb.models.dynamo_type", "48f12362c49f00c1"),
    "DynamoType.__lt__": ("moto.dynamodb.models.dynamo_type", "44033f9fbd16ab92"),
    "DynamoType.cast_value": ("moto.dynamodb.models.dynamo_type", "135da387dfcc7c1c"),
    "ExecutionWorker._get_evaluation_entrypoint": (
        "moto.stepfunctions.parser.backend.execution_worker",
        "2b25949ae855da80",
    ),
    "BaseExecutionWorkerCommunication.terminated": (
        "moto.stepfunctions.parser.backend.execution",
        "360372a6a57bf99b",
    ),
    # An execution whose worker has no environment answers an empty history (moto_speed._HistoryDropped).
    "Execution.to_history_output": ("moto.stepfunctions.parser.backend.execution", "496e8fa069dd23d2"),
}


def _source_hash(qualname: str) -> str:
    import importlib

    module, _ = MIRRORED[qualname]
    owner, name = qualname.split(".")
    found = moto_speed.ORIGINALS.get(qualname) or vars(getattr(importlib.import_module(module), owner))[name]
    return source_digest(found)


@pytest.fixture
def aws(moto_alone: Any) -> Any:
    return moto_alone


def _backend(region: str = REGION) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][region]


# --- canaries -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("qualname", sorted(MIRRORED))
def test_the_moto_code_the_patches_mirror_is_unchanged(qualname, aws):
    assert _source_hash(qualname) == MIRRORED[qualname][1], (
        f"moto changed {qualname}: klaxon.local.moto_speed and moto_query mirror it; read the new code, "
        "update the patch, then this hash"
    )


def test_the_patched_functions_keep_the_signatures_the_patches_call(aws):
    originals = moto_speed.ORIGINALS
    assert set(originals) >= {
        "BaseModel.__new__",
        "DynamoDBBackend.transact_write_items",
        "Table.query",
        "Table.put_item",
        "Table.delete_item",
        "DynamoDBBackend.update_item",
    }
    expected = {
        "DynamoDBBackend.transact_write_items": ["self", "transact_items"],
        "Table.delete_item": ["self", "hash_key", "range_key"],
        "Table.put_item": ["self", "item_attrs", "expected", "condition_expression"],
        "DynamoDBBackend.update_item": ["self", "table_name", "key", "update_expression"],
    }
    for name, parameters in expected.items():
        assert list(inspect.signature(originals[name]).parameters)[: len(parameters)] == parameters, name
    assert list(inspect.signature(originals["Table.query"]).parameters) == [  # the names moto_query reads
        "self",
        "hash_key",
        "range_comparison",
        "range_objs",
        "limit",
        "exclusive_start_key",
        "scan_index_forward",
        "projection_expressions",
        "index_name",
        "consistent_read",
        "filter_expression",
        "hash_key_conditions",
        "range_key_conditions",
        "filter_kwargs",
    ]
    from moto.dynamodb.models.table import Table

    for helper in ("_generate_attr_to_sort_by", "_get_last_evaluated_key", "all_indexes", "get_index"):
        assert callable(getattr(Table, helper)), helper
    from moto.dynamodb.models import DynamoDBBackend

    used = {"get_table": ["self", "table_name"], "get_keys_value": ["self", "table", "keys"]}
    for name, parameters in used.items():
        assert list(inspect.signature(getattr(DynamoDBBackend, name)).parameters) == parameters, name


def test_every_untracked_service_is_a_moto_package():
    import importlib.util

    for service in moto_speed.UNTRACKED_SERVICES:
        assert importlib.util.find_spec(f"moto.{service}") is not None, service


# --- instances are not tracked ------------------------------------------------------------------------------


def _tracked() -> dict[str, int]:
    from moto.core.model_instances import model_data

    return {
        f"{service}.{name}": len(model.instances_tracked)  # type: ignore[attr-defined]
        for service, models in model_data.items()
        for name, model in models.items()
        if model.instances_tracked  # type: ignore[attr-defined]
    }


def test_moto_no_longer_keeps_every_item_and_copy_it_made(aws):
    name = _table(aws)
    for n in range(20):
        aws.put_item(TableName=name, Item=_item(f"p{n % 3}", f"s{n}", status="open"))
    aws.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p1"}})
    assert _tracked() == {}


def test_a_platform_session_leaves_nothing_tracked_in_any_service(platform, http):
    """Every service `klaxon up` uses is in UNTRACKED_SERVICES: an incident, its pages, the status page."""
    sent = http.post("/v2/enqueue", json=_alert())
    assert sent.status_code == 202, sent.text
    assert platform.drain(30)
    assert http.get("/v1/incidents").json()["incidents"]
    assert _tracked() == {}


def _alert() -> dict[str, Any]:
    return {
        "routing_key": "KLAXON-DEMO-CHECKOUT-KEY-0000001",
        "event_action": "trigger",
        "dedup_key": "tracked",
        "payload": {"summary": "checkout down", "source": "test", "severity": "critical"},
    }


def test_a_started_platform_keeps_its_long_lived_heap_out_of_the_collector_until_it_stops():
    import gc

    from klaxon.local.platform import LocalPlatform, Options
    from tests.conftest import DEMO_CONFIG

    running = LocalPlatform(Options(config=DEMO_CONFIG, port=0)).start()
    try:
        assert gc.get_freeze_count() > 100_000
        survivor = [{"kept": True}]  # what lives through a full collection is frozen after it
        assert any(obj is survivor for obj in gc.get_objects(generation=0))
        gc.collect()
        assert not any(obj is survivor for obj in gc.get_objects())  # no collection walks it again
    finally:
        running.stop()
    assert gc.get_freeze_count() == 0
    assert (
        moto_speed._freeze_survivors not in gc.callbacks
    )  # a stopped platform leaves the collector as it was


# --- tables -------------------------------------------------------------------------------------------------


def _table(aws: Any, region: str = REGION, name: str | None = None, range_type: str = "S") -> str:
    """Like Klaxon's incidents: a sort key, two GSIs (one keys-only), a stream of both images."""
    name = name or f"t{next(_names)}"
    client = aws if region == REGION else boto3.client("dynamodb", region_name=region)
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": range_type},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "created", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-status",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "created", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "by-status-keys",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name


def _item(pk: str, sk: str, **attrs: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"pk": {"S": pk}, "sk": {"S": sk}}
    for name, value in attrs.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    return item


def _contents(name: str, region: str = REGION) -> list[dict[str, Any]]:
    from klaxon.local.emulation import ddb_lock

    with ddb_lock():
        table = _backend(region).get_table(name)
        return [item.to_json()["Attributes"] for item in table.all_items()]


def _stream(name: str, region: str = REGION) -> list[tuple[str, Any]]:
    shard = _backend(region).get_table(name).stream_shard
    return [(r.record["eventName"], r.record["dynamodb"]["Keys"]) for r in shard.items]


# --- transactions: an undo log, not copies ------------------------------------------------------------------

_WRITES = {
    "put_new": lambda name: {
        "Put": {"TableName": name, "Item": _item("new", "1", status="open", created="4")}
    },
    "put_over": lambda name: {
        "Put": {"TableName": name, "Item": _item("a", "1", status="closed", created="5")}
    },
    "update": lambda name: {
        "Update": {
            "TableName": name,
            "Key": _item("a", "1"),
            "UpdateExpression": "SET #s = :s ADD n :one",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": "closed"}, ":one": {"N": "1"}},
        }
    },
    "delete": lambda name: {"Delete": {"TableName": name, "Key": _item("b", "1")}},
}


def _failing(kind: str, name: str) -> dict[str, Any]:
    """An operation on item c whose condition fails (c exists)."""
    op: dict[str, Any] = {"TableName": name, "ConditionExpression": "attribute_not_exists(pk)"}
    if kind == "Put":
        op["Item"] = _item("c", "1", status="open", created="6")
    else:
        op["Key"] = _item("c", "1")
    if kind == "Update":
        op["UpdateExpression"] = "SET n = :one"
        op["ExpressionAttributeValues"] = {":one": {"N": "1"}}
    return {kind: op}


def _listed(aws: Any, name: str) -> list[Any]:
    pages = []
    for index, status in itertools.product(("by-status", "by-status-keys"), ("open", "closed")):
        found = aws.query(
            TableName=name,
            IndexName=index,
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": status}},
        )
        pages.append(found["Items"])
    return pages


@pytest.mark.parametrize("first, second", list(itertools.permutations(_WRITES, 2)))
@pytest.mark.parametrize("kind", ["ConditionCheck", "Put", "Update", "Delete"])
def test_a_transaction_failing_at_its_third_item_leaves_the_table_its_indexes_and_stream_as_they_were(
    aws, first, second, kind
):
    name = _table(aws)
    aws.put_item(TableName=name, Item=_item("a", "1", status="open", created="1", n=1))
    aws.put_item(TableName=name, Item=_item("b", "1", status="open", created="2"))
    aws.put_item(TableName=name, Item=_item("c", "1", status="closed", created="3"))
    before, stream, listed = _contents(name), _stream(name), _listed(aws, name)
    items = [_WRITES[first](name), _WRITES[second](name), _failing(kind, name)]
    with pytest.raises(ClientError) as refused:
        aws.transact_write_items(TransactItems=items)
    error = refused.value.response
    if {first, second} == {"put_over", "update"}:  # both write item a: refused as a whole, as DynamoDB does
        assert (
            error["Error"]["Message"] == "Transaction request cannot include multiple operations on one item"
        )
    else:
        assert error["Error"]["Code"] == "TransactionCanceledException"
        assert [r["Code"] for r in error["CancellationReasons"]] == ["None", "None", "ConditionalCheckFailed"]
    assert _contents(name) == before
    assert _stream(name) == stream
    assert _listed(aws, name) == listed
    with moto_query.moto_only():
        assert _listed(aws, name) == listed


def test_a_transaction_that_succeeds_writes_every_item_and_its_stream_records(aws):
    name = _table(aws)
    aws.put_item(TableName=name, Item=_item("a", "1", status="open", created="1", n=1))
    aws.put_item(TableName=name, Item=_item("b", "1", status="open", created="2"))
    aws.transact_write_items(
        TransactItems=[_WRITES["put_new"](name), _WRITES["update"](name), _WRITES["delete"](name)]
    )
    assert [(i["pk"]["S"], i["status"]["S"]) for i in _contents(name)] == [("a", "closed"), ("new", "open")]
    assert [event for event, _ in _stream(name)] == ["INSERT", "INSERT", "INSERT", "MODIFY", "REMOVE"]


_KEYS = st.sampled_from(["a", "b", "c"])
_CONDITIONS = st.sampled_from([None, "attribute_exists(pk)", "attribute_not_exists(pk)", "#s = :open"])
_UPDATES = st.sampled_from(["SET #s = :open ADD n :one", "SET n = n + :one", "REMOVE created"])
_OPERATIONS = st.tuples(
    st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]),
    _KEYS,
    _CONDITIONS,
    _UPDATES,
    st.booleans(),
)


def _operation(name: str, drawn: tuple[str, str, str | None, str, bool]) -> dict[str, Any]:
    kind, key, condition, update, all_old = drawn
    op: dict[str, Any] = {"TableName": name}
    if kind == "Put":
        op["Item"] = _item(key, "1", status="closed", created="9")
    else:
        op["Key"] = _item(key, "1")
    if kind == "Update":
        op["UpdateExpression"] = update
    condition = condition or ("attribute_exists(pk)" if kind == "ConditionCheck" else None)
    if condition is not None:
        op["ConditionExpression"] = condition
    text = f"{condition} {update if kind == 'Update' else ''}"
    names = {"#s": "status"} if "#s" in text else {}
    values = {k: v for k, v in {":open": {"S": "open"}, ":one": {"N": "1"}}.items() if k in text}
    if names:
        op["ExpressionAttributeNames"] = names
    if values:
        op["ExpressionAttributeValues"] = values
    if all_old:
        op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {kind: op}


def _outcome(call: Any) -> tuple[str, str] | None:
    try:
        call()
    except Exception as exc:  # the error moto answers with: its type and its body
        return type(exc).__name__, getattr(exc, "description", str(exc))
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seeds=st.dictionaries(_KEYS, st.sampled_from(["open", "closed"])),
    drawn=st.lists(_OPERATIONS, min_size=1, max_size=4),
)
def test_transactions_end_as_moto_ends_them_with_the_same_errors(aws, seeds, drawn):
    """The same transaction on two copies of a table: ours, and moto's own code (which copies the tables)."""
    import copy

    name = f"t{next(_names)}"
    for region in (REGION, OTHER_REGION):
        _table(aws, region, name)
        for key, status in seeds.items():
            _backend(region).put_item(name, _item(key, "1", status=status, created="1", n=1))
    items = [_operation(name, d) for d in drawn]
    ours = _outcome(lambda: _backend(REGION).transact_write_items(copy.deepcopy(items)))
    original = moto_speed.ORIGINALS["DynamoDBBackend.transact_write_items"]
    theirs = _outcome(lambda: original(_backend(OTHER_REGION), copy.deepcopy(items)))
    assert ours == theirs
    assert _contents(name, REGION) == _contents(name, OTHER_REGION)
    assert _stream(name, REGION) == _stream(name, OTHER_REGION)
    fast = _listed(aws, name)
    with moto_query.moto_only():
        assert _listed(aws, name) == fast


# --- queries: sorted partitions, moto's answers -------------------------------------------------------------

_PKS = st.sampled_from(["a", "b"])
_SORT_VALUES = {"S": ["1", "10", "2", "20", "3"], "N": ["1", "10", "2", "-3", "2.50"]}
_STATUSES = st.sampled_from(["open", "closed", None])
_CREATED = st.sampled_from(["1", "2", "2a", "3", None])


@st.composite
def _writes(draw: Any, range_type: str) -> tuple[str, dict[str, Any]]:
    key = {"pk": {"S": draw(_PKS)}, "sk": {range_type: draw(st.sampled_from(_SORT_VALUES[range_type]))}}
    kind = draw(st.sampled_from(["put", "put", "update", "delete"]))
    if kind == "delete":
        return "delete", {"Key": key}
    if kind == "update":
        status = draw(st.sampled_from(["open", "closed"]))
        return "update", {
            "Key": key,
            "UpdateExpression": "SET #s = :s REMOVE created",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": status}},
        }
    attrs = {"status": draw(_STATUSES), "created": draw(_CREATED), "n": draw(st.sampled_from([1, 5, None]))}
    item = dict(key)
    for name, value in attrs.items():
        if value is not None:
            item[name] = {"N": str(value)} if name == "n" else {"S": value}
    return "put", {"Item": item}


@st.composite
def _queries(draw: Any, range_type: str) -> dict[str, Any]:
    index = draw(st.sampled_from([None, "by-status", "by-status-keys"]))
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    if index is None:
        condition, values[":h"], sort_name, sort_type = "pk = :h", {"S": draw(_PKS)}, "sk", range_type
    else:
        names["#s"], values[":h"] = "status", {"S": draw(st.sampled_from(["open", "closed"]))}
        condition, sort_name, sort_type = "#s = :h", "created", "S"
    sort_values = _SORT_VALUES[sort_type] if index is None else ["1", "2", "3"]
    compares = [None, "=", "<", "<=", ">", ">=", "BETWEEN"] + (["begins_with"] if sort_type == "S" else [])
    compare = draw(st.sampled_from(compares))  # DynamoDB refuses begins_with on a number; moto fails
    if compare is not None and index != "by-status-keys":
        values[":a"], values[":b"] = ({sort_type: draw(st.sampled_from(sort_values))} for _ in range(2))
        condition += {
            "BETWEEN": f" AND {sort_name} BETWEEN :a AND :b",
            "begins_with": f" AND begins_with({sort_name}, :a)",
        }.get(compare, f" AND {sort_name} {compare} :a")
        values.pop(":b") if compare != "BETWEEN" else None
    query: dict[str, Any] = {"KeyConditionExpression": condition, "ScanIndexForward": draw(st.booleans())}
    if index is not None:
        query["IndexName"] = index
    if (limit := draw(st.sampled_from([None, 1, 2, 3]))) is not None:
        query["Limit"] = limit
    if draw(st.booleans()):
        query["FilterExpression"], values[":one"] = "n > :one", {"N": "1"}
    if draw(st.booleans()):
        query["ProjectionExpression"], names["#p"] = "#p, sk", "pk"
    if names:
        query["ExpressionAttributeNames"] = names
    if draw(st.booleans()):  # a start key anywhere, not only where a page ended
        start = {"pk": {"S": draw(_PKS)}, "sk": {range_type: draw(st.sampled_from(_SORT_VALUES[range_type]))}}
        if index is not None:
            start["status"] = values[":h"]
        if index == "by-status":
            start["created"] = {"S": draw(st.sampled_from(["1", "2", "3"]))}
        query["ExclusiveStartKey"] = start
    return query | {"ExpressionAttributeValues": values}


def _pages(aws: Any, name: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of the query, following LastEvaluatedKey; what each said (or the error)."""
    pages: list[dict[str, Any]] = []
    query = dict(query)
    while len(pages) < 12:
        try:
            found = aws.query(TableName=name, **query)
        except ClientError as exc:
            return [*pages, exc.response["Error"]]
        found.pop("ResponseMetadata")
        pages.append(found)
        query["ExclusiveStartKey"] = found.get("LastEvaluatedKey")
        if query["ExclusiveStartKey"] is None:
            break
    return pages


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), range_type=st.sampled_from(["S", "N"]))
def test_queries_answer_exactly_what_moto_answers(aws, monkeypatch, data, range_type):
    answered = []
    page = moto_query._page
    monkeypatch.setattr(moto_query, "_page", lambda *args: answered.append(1) or page(*args))
    name = _table(aws, range_type=range_type)
    for _ in range(data.draw(st.integers(1, 4))):
        for kind, request in data.draw(st.lists(_writes(range_type), min_size=4, max_size=25)):
            getattr(aws, f"{kind}_item")(TableName=name, **request)
        for query in data.draw(st.lists(_queries(range_type), min_size=1, max_size=4)):
            fast = _pages(aws, name, query)
            with moto_query.moto_only():
                assert _pages(aws, name, query) == fast, query
    assert answered, "the fast path answered nothing: the comparison proved nothing"


def test_a_query_moto_must_answer_itself_is_answered_by_moto(aws):
    """Binary sort keys are not ordered by the views: moto's code answers, with moto's answer."""
    name = _table(aws, range_type="B")
    for n in (3, 1, 2):
        aws.put_item(
            TableName=name, Item={"pk": {"S": "a"}, "sk": {"B": bytes([n])}, "status": {"S": "open"}}
        )
    query = {"KeyConditionExpression": "pk = :h", "ExpressionAttributeValues": {":h": {"S": "a"}}, "Limit": 2}
    fast = _pages(aws, name, query)
    with moto_query.moto_only():
        assert _pages(aws, name, query) == fast
    assert [item["sk"]["B"] for page in fast for item in page["Items"]] == [b"\x01", b"\x02", b"\x03"]


def test_a_page_ends_at_one_megabyte_where_moto_ends_it(aws):
    name = _table(aws)
    for n in range(7):
        big = _item("a", str(n), status="open", created=str(n), blob="x" * 300_000)
        aws.put_item(TableName=name, Item=big)
    for query in (
        {"KeyConditionExpression": "pk = :h", "ExpressionAttributeValues": {":h": {"S": "a"}}},
        {
            "IndexName": "by-status",
            "KeyConditionExpression": "#s = :h",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":h": {"S": "open"}},
            "ScanIndexForward": False,
        },
    ):
        fast = _pages(aws, name, query)
        with moto_query.moto_only():
            assert _pages(aws, name, query) == fast
        assert [page["Count"] for page in fast] == [3, 3, 1]

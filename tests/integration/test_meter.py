"""klaxon.local.meter: the write units AWS would bill for each emulated write, by its rule for on-demand
tables (the larger of the item before and after, per started KB, twice in a transaction)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from klaxon.local.meter import METER, UNIT_BYTES
from tests.integration.moto_originals import keyed_table

KEY = {"pk": {"S": "k"}}


@pytest.fixture
def ddb(moto_alone: Any) -> Iterator[Any]:
    keyed_table(moto_alone, "metered")
    METER.reset()
    METER.sizing = True
    yield moto_alone
    METER.sizing = False


def _units(call: Any) -> int:
    before = METER.write_units_here()
    with contextlib.suppress(ClientError):  # a failed condition is billed too
        call()
    return METER.write_units_here() - before


def test_a_write_costs_a_unit_per_started_kb_of_the_larger_of_before_and_after(ddb: Any) -> None:
    body = "x" * (3 * UNIT_BYTES - 100)  # with its names and key: under 3 KB
    assert _units(lambda: ddb.put_item(TableName="metered", Item={**KEY, "body": {"S": body}})) == 3
    grow = {"TableName": "metered", "Key": KEY, "UpdateExpression": "SET more = :m"}
    assert _units(lambda: ddb.update_item(**grow, ExpressionAttributeValues={":m": {"S": "y" * 200}})) == 4
    shrink = {"TableName": "metered", "Key": KEY, "UpdateExpression": "REMOVE body, more"}
    assert _units(lambda: ddb.update_item(**shrink)) == 4  # the item before was the larger
    assert _units(lambda: ddb.delete_item(TableName="metered", Key=KEY)) == 1
    assert _units(lambda: ddb.delete_item(TableName="metered", Key=KEY)) == 1  # nothing there: the minimum


def test_a_failed_condition_costs_what_the_item_weighs_and_a_transaction_twice(ddb: Any) -> None:
    ddb.put_item(TableName="metered", Item={**KEY, "body": {"S": "x" * (2 * UNIT_BYTES - 100)}})
    refused = {"TableName": "metered", "Key": KEY, "UpdateExpression": "SET a = :a"}
    assert (
        _units(
            lambda: ddb.update_item(
                **refused,
                ConditionExpression="attribute_not_exists(pk)",
                ExpressionAttributeValues={":a": {"S": "a"}},
            )
        )
        == 2
    )
    update = {**refused, "ExpressionAttributeValues": {":a": {"S": "a"}}}
    assert _units(lambda: ddb.transact_write_items(TransactItems=[{"Update": update}])) == 4
    assert METER.writes_here() == 3


def test_nothing_is_sized_unless_asked(ddb: Any) -> None:
    METER.sizing = False
    ddb.put_item(TableName="metered", Item={**KEY, "body": {"S": "x" * 5000}})
    assert METER.write_units_here() == 0 and METER.writes_here() == 1

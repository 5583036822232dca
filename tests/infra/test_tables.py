"""DynamoDB tables: one per PynamoDB model, with the model's keys and indexes, durable and on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pynamodb.models import Model

from klaxon.adapters.tables import ALL_MODELS, TABLE_ENV, table_name
from tests.infra.support import table_logical_ids

if TYPE_CHECKING:
    from aws_cdk.assertions import Match, Template


def _model_of(kind: str) -> type[Model]:
    return next(m for m in ALL_MODELS if m.Meta.table_name == table_name(kind))


def _key_schema(key_schema: list[dict[str, str]]) -> dict[str, str]:
    return {key["KeyType"]: key["AttributeName"] for key in key_schema}


def test_there_is_one_table_per_model(template: Template) -> None:
    template.resource_count_is("AWS::DynamoDB::Table", len(ALL_MODELS))


@pytest.mark.parametrize("kind", list(TABLE_ENV))
def test_table_keys_and_indexes_are_the_pynamodb_models(cfn: dict[str, Any], kind: str) -> None:
    # Given what PynamoDB itself would send to CreateTable for the model stored in this table
    expected: dict[str, Any] = dict(_model_of(kind)._get_schema())
    # When we look at the table the functions reach through the model's environment variable
    table = cfn["Resources"][table_logical_ids(cfn)[kind]]["Properties"]
    # Then keys, attribute types and global indexes are the same
    assert _key_schema(table["KeySchema"]) == _key_schema(expected["key_schema"])
    assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
        (a["AttributeName"], a["AttributeType"]) for a in expected["attribute_definitions"]
    }
    assert {
        index["IndexName"]: (_key_schema(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in table.get("GlobalSecondaryIndexes", [])
    } == {
        index["index_name"]: (_key_schema(index["key_schema"]), index["projection"]["ProjectionType"])
        for index in expected["global_secondary_indexes"]
    }
    assert "LocalSecondaryIndexes" not in table
    assert not expected["local_secondary_indexes"]


def test_tables_are_on_demand_recoverable_encrypted_and_retained(
    template: Template, match: type[Match]
) -> None:
    tables = template.find_resources(
        "AWS::DynamoDB::Table",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "DeletionProtectionEnabled": True,
                # AWS-managed key: SSE on, no customer key
                "SSESpecification": {"SSEEnabled": True, "KMSMasterKeyId": match.absent()},
                "ProvisionedThroughput": match.absent(),
            },
        },
    )
    assert len(tables) == len(ALL_MODELS)


def test_only_the_table_whose_model_declares_a_ttl_expires_items(cfn: dict[str, Any]) -> None:
    # The dedup table's delivery memory (DedupItem.expires_at) is the one TTL; no other table may expire
    # items behind its model's back.
    ids = table_logical_ids(cfn)
    ttl = {kind: cfn["Resources"][ids[kind]]["Properties"].get("TimeToLiveSpecification") for kind in ids}
    assert ttl == {kind: None for kind in ids} | {"dedup": {"AttributeName": "expires_at", "Enabled": True}}

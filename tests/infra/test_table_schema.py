"""infra.table_schema reads TTL attributes, local indexes and projections off a model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import IncludeProjection, KeysOnlyProjection, LocalSecondaryIndex
from pynamodb.models import Model

from tests.infra.support import require_node

if TYPE_CHECKING:
    from infra.table_schema import TableSchema


class _ByScore(LocalSecondaryIndex["_Scored"]):
    class Meta:
        index_name = "by-score"
        projection = KeysOnlyProjection()

    owner = UnicodeAttribute(hash_key=True)
    score = NumberAttribute(range_key=True)


class _ByLabel(LocalSecondaryIndex["_Scored"]):
    class Meta:
        index_name = "by-label"
        projection = IncludeProjection(["note"])

    owner = UnicodeAttribute(hash_key=True)
    label = UnicodeAttribute(range_key=True)


class _Scored(Model):
    class Meta:
        table_name = "scored"

    owner = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)
    score = NumberAttribute()
    label = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    expires = TTLAttribute()
    by_score = _ByScore()
    by_label = _ByLabel()


@pytest.fixture(scope="module")
def schema() -> TableSchema:
    require_node()  # infra.table_schema builds aws_cdk values
    from infra.table_schema import schema_of

    return schema_of("scored", _Scored)


def test_table_keys_come_from_the_model(schema: TableSchema) -> None:
    from aws_cdk import aws_dynamodb as dynamodb

    assert schema.partition_key == dynamodb.Attribute(name="owner", type=dynamodb.AttributeType.STRING)
    assert schema.sort_key == dynamodb.Attribute(name="at", type=dynamodb.AttributeType.STRING)


def test_a_ttl_attribute_on_the_model_becomes_the_table_ttl(schema: TableSchema) -> None:
    assert schema.ttl_attribute == "expires"


def test_local_indexes_keep_their_sort_key_and_projection(schema: TableSchema) -> None:
    from aws_cdk import aws_dynamodb as dynamodb

    by_name = {index.name: index for index in schema.indexes}
    assert [index.is_global for index in schema.indexes] == [False, False]
    assert by_name["by-score"].sort_key == dynamodb.Attribute(
        name="score", type=dynamodb.AttributeType.NUMBER
    )
    assert by_name["by-score"].projection_type == dynamodb.ProjectionType.KEYS_ONLY
    assert by_name["by-label"].projection_type == dynamodb.ProjectionType.INCLUDE
    assert by_name["by-label"].non_key_attributes == ("note",)

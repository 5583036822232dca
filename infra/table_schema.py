"""DynamoDB key schemas read off the PynamoDB models, so CDK never restates a key or an index."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_dynamodb as dynamodb
from pynamodb.attributes import Attribute, TTLAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, Index, KeysOnlyProjection
from pynamodb.models import Model

from klaxon.adapters.tables import ALL_MODELS, TABLE_ENV, table_name

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


@dataclass(frozen=True)
class IndexSchema:
    name: str
    is_global: bool
    partition_key: dynamodb.Attribute
    sort_key: dynamodb.Attribute | None
    projection_type: dynamodb.ProjectionType
    non_key_attributes: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    kind: str  # a key of klaxon.adapters.tables.TABLE_ENV
    partition_key: dynamodb.Attribute
    sort_key: dynamodb.Attribute | None
    indexes: tuple[IndexSchema, ...]
    ttl_attribute: str | None
    stream: dynamodb.StreamViewType | None = None  # the model's Meta.stream_view_type: a change stream


def table_schemas() -> tuple[TableSchema, ...]:
    """One schema per table kind in TABLE_ENV, each read from the model that owns that table."""
    models_by_table = {model.Meta.table_name: model for model in ALL_MODELS}
    schemas = []
    for kind in TABLE_ENV:
        model = models_by_table.pop(table_name(kind), None)
        if model is None:
            raise LookupError(f"no model in ALL_MODELS is stored in the {kind!r} table")
        schemas.append(schema_of(kind, model))
    if models_by_table:
        raise LookupError(f"models whose table has no TABLE_ENV entry: {sorted(models_by_table)}")
    return tuple(schemas)


def schema_of(kind: str, model: type[Model]) -> TableSchema:
    """The table's keys, secondary indexes and TTL attribute, as the model declares them."""
    attributes = model.get_attributes().values()
    ttl = [a.attr_name for a in attributes if isinstance(a, TTLAttribute)]
    indexes = [index for _, index in inspect.getmembers(model, lambda member: isinstance(member, Index))]
    return TableSchema(
        kind=kind,
        partition_key=_partition_key(attributes),
        sort_key=_sort_key(attributes),
        indexes=tuple(sorted((_index_schema(index) for index in indexes), key=lambda i: i.name)),
        ttl_attribute=ttl[0] if ttl else None,
        stream=_stream(model),
    )


def _stream(model: type[Model]) -> dynamodb.StreamViewType | None:
    view = getattr(model.Meta, "stream_view_type", None)
    return None if view is None else dynamodb.StreamViewType(view)


def _index_schema(index: Index[Any]) -> IndexSchema:
    attributes = index.Meta.attributes.values()
    projection = index.Meta.projection
    if isinstance(projection, AllProjection):
        projection_type = dynamodb.ProjectionType.ALL
    elif isinstance(projection, KeysOnlyProjection):
        projection_type = dynamodb.ProjectionType.KEYS_ONLY
    else:
        projection_type = dynamodb.ProjectionType.INCLUDE
    return IndexSchema(
        name=index.Meta.index_name,
        is_global=isinstance(index, GlobalSecondaryIndex),
        partition_key=_partition_key(attributes),
        sort_key=_sort_key(attributes),
        projection_type=projection_type,
        non_key_attributes=tuple(getattr(projection, "non_key_attributes", None) or ()),
    )


def _partition_key(attributes: Iterable[Attribute[Any]]) -> dynamodb.Attribute:
    for attribute in attributes:
        if attribute.is_hash_key:
            return _cdk_attribute(attribute)
    raise LookupError("a table or index without a hash key")


def _sort_key(attributes: Iterable[Attribute[Any]]) -> dynamodb.Attribute | None:
    return next((_cdk_attribute(a) for a in attributes if a.is_range_key), None)


def _cdk_attribute(attribute: Attribute[Any]) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=attribute.attr_name, type=_ATTRIBUTE_TYPES[attribute.attr_type])

"""Klaxon's DynamoDB tables, one per PynamoDB model, and least-privilege grants on them."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.naming import pascal_case
from infra.table_schema import IndexSchema, TableSchema, table_schemas

# What PynamoDB's reads need: get, batch get, query, scan, the condition checks of TransactWrite, and
# DescribeTable (Model.exists and Model.count, as a health check uses). Indexes only take Query and Scan.
# There is no IAM action for TransactWriteItems: it is authorised per item by the write actions.
READ_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)
INDEX_READ_ACTIONS = ("dynamodb:Query", "dynamodb:Scan")
WRITE_ACTIONS = (
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)


class Tables(Construct):
    """Every table on demand, point-in-time recoverable, retained when the stack goes."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._schemas = {schema.kind: schema for schema in table_schemas()}
        self.by_kind: dict[str, dynamodb.Table] = {
            kind: self._build_table(schema) for kind, schema in self._schemas.items()
        }

    def grant(
        self, grantee: iam.IGrantable, kind: str, *, write: bool, leading_keys: tuple[str, ...] | None = None
    ) -> None:
        """Let `grantee` read (and, with `write`, write) the `kind` table, naming each index it may query;
        `leading_keys` limits the writes to those partitions (`dynamodb:LeadingKeys`, StringLike)."""
        table = self.by_kind[kind]
        index_arns = [f"{table.table_arn}/index/{index.name}" for index in self._schemas[kind].indexes]
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(READ_ACTIONS), resources=[table.table_arn])
        )
        if index_arns:
            grantee.grant_principal.add_to_principal_policy(
                iam.PolicyStatement(actions=list(INDEX_READ_ACTIONS), resources=index_arns)
            )
        if write:
            conditions = (
                {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(leading_keys)}}
                if leading_keys is not None
                else None
            )
            grantee.grant_principal.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=list(WRITE_ACTIONS), resources=[table.table_arn], conditions=conditions
                )
            )

    def _build_table(self, schema: TableSchema) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            pascal_case(schema.kind),
            partition_key=schema.partition_key,
            sort_key=schema.sort_key,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            # Incidents and timelines are the audit record: neither a stack update nor a delete may drop them.
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
            time_to_live_attribute=schema.ttl_attribute,
            stream=schema.stream,
        )
        self._build_indexes(table, schema.indexes)
        return table

    def _build_indexes(self, table: dynamodb.Table, indexes: Iterable[IndexSchema]) -> None:
        for index in indexes:
            non_key_attributes = list(index.non_key_attributes) or None
            if index.is_global:
                table.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=index.partition_key,
                    sort_key=index.sort_key,
                    projection_type=index.projection_type,
                    non_key_attributes=non_key_attributes,
                )
            else:
                if index.sort_key is None:
                    raise ValueError(f"local index {index.name!r} needs a sort key")
                table.add_local_secondary_index(
                    index_name=index.name,
                    sort_key=index.sort_key,
                    projection_type=index.projection_type,
                    non_key_attributes=non_key_attributes,
                )

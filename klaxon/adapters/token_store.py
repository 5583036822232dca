"""API tokens in the config table: `(pk="api-token", sk=<HMAC of the secret>)`, read strongly consistent.

The record is the item's `doc`; its last use is the item's `value` (epoch seconds), so recording a use
rewrites one number and never the record."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pynamodb.exceptions import PynamoDBException

from klaxon.adapters.tables import ConfigItem
from klaxon.domain.access.tokens import TokenRecord

PK = "api-token"
log = logging.getLogger(__name__)


class DynamoTokenStore:
    """No cache: a revoked token is refused by the next request, in every container."""

    def add(self, record: TokenRecord, digest: str) -> None:
        ConfigItem(pk=PK, sk=digest, doc=record.model_dump(mode="json")).save(
            condition=ConfigItem.sk.does_not_exist()
        )

    def find(self, digest: str) -> TokenRecord | None:
        try:
            return _record(ConfigItem.get(PK, digest, consistent_read=True))
        except ConfigItem.DoesNotExist:
            return None

    def all(self) -> list[TokenRecord]:
        return [_record(item) for item in ConfigItem.query(PK, consistent_read=True)]

    def remove(self, token_id: str) -> TokenRecord | None:
        for item in ConfigItem.query(PK, consistent_read=True):
            if item.doc.get("id") == token_id:
                item.delete()
                return _record(item)
        return None

    def touch(self, digest: str, at: datetime) -> None:
        try:
            ConfigItem(pk=PK, sk=digest).update(
                actions=[ConfigItem.value.set(int(at.timestamp()))], condition=ConfigItem.sk.exists()
            )
        except PynamoDBException:  # revoked meanwhile, or throttled: the use was allowed either way
            log.warning("could not record the last use of a token", exc_info=True)


def _record(item: ConfigItem) -> TokenRecord:
    record = TokenRecord.model_validate(item.doc)
    if item.value is None:
        return record
    return record.model_copy(update={"last_used_at": datetime.fromtimestamp(int(item.value), UTC)})

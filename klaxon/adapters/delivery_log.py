"""The delivery memory in the dedup table: one conditional put per id, expiring after 24 hours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.exceptions import PutError

from klaxon.adapters.tables import DedupItem
from klaxon.adapters.timeutil import iso
from klaxon.domain.intake.deliveries import DELIVERY_MEMORY

PREFIX = "delivery#"


class DynamoDeliveryLog:
    def first(self, delivery_ids: Sequence[str], now: datetime) -> bool:
        fresh = True
        for delivery_id in delivery_ids:
            item = DedupItem(
                key=PREFIX + delivery_id,
                incident_id="-",
                created_at=iso(now),
                expires_at=now + DELIVERY_MEMORY,
            )
            # DynamoDB deletes expired items within days, not at once: an expired one counts as gone.
            unseen = DedupItem.key.does_not_exist() | (DedupItem.expires_at < now)
            try:
                item.save(condition=unseen)
            except PutError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
                fresh = False
        return fresh

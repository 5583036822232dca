"""Rate counters in the dedup table: `rate#<subject>#<window start>`, one `UpdateItem ADD` per request.

Each counter expires (TTL) a window after its own ends, so the table keeps only the current ones.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pynamodb.exceptions import PynamoDBException

from klaxon.adapters.tables import DedupItem
from klaxon.adapters.timeutil import iso

PREFIX = "rate#"
log = logging.getLogger(__name__)


class DynamoRateCounter:
    def hit(self, subject: str, window_start: datetime, window_end: datetime) -> int | None:
        item = DedupItem(key=f"{PREFIX}{subject}#{int(window_start.timestamp())}")
        try:
            item.update(
                actions=[
                    DedupItem.hits.add(1),
                    DedupItem.incident_id.set("-"),
                    DedupItem.created_at.set(iso(window_start)),
                    DedupItem.expires_at.set(window_end + (window_end - window_start)),
                ]
            )
        except PynamoDBException:
            # Throttled or failing: a limiter that cannot count must not be what stops an alert.
            log.warning("could not count a request of %s; let through", subject, exc_info=True)
            return None
        return int(item.hits or 0)

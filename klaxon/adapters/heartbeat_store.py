"""What each heartbeat last did, as a versioned record in the config table (optimistic concurrency)."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from klaxon.adapters.tables import ConfigItem
from klaxon.domain.errors import Conflict
from klaxon.domain.noise.heartbeats import HeartbeatState

HEARTBEAT_PK = "heartbeat"
_CONDITION_FAILED = ("ConditionalCheckFailedException", "TransactionCanceledException")


class DynamoHeartbeatStore:
    def get(self, heartbeat_id: str) -> tuple[HeartbeatState, int] | None:
        """The state and its version, or None before the heartbeat was first seen or checked."""
        try:
            item = ConfigItem.get(HEARTBEAT_PK, heartbeat_id, consistent_read=True)
        except ConfigItem.DoesNotExist:
            return None
        return HeartbeatState.model_validate(item.doc), int(item.value or 0)

    def put(self, state: HeartbeatState, *, version: int | None) -> None:
        """Store `state` if the record is still at `version` (None: if there is none yet); else Conflict."""
        item = ConfigItem(
            pk=HEARTBEAT_PK,
            sk=state.heartbeat,
            doc=state.model_dump(mode="json"),
            value=(version or 0) + 1,
        )
        expected = ConfigItem.sk.does_not_exist() if version is None else ConfigItem.value == version
        try:
            item.save(condition=expected)
        except PutError as exc:
            if exc.cause_response_code in _CONDITION_FAILED:
                raise Conflict(f"heartbeat {state.heartbeat} changed meanwhile") from exc
            raise

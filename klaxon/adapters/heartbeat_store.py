"""What each heartbeat last did, as a versioned record in the config table (optimistic concurrency)."""

from __future__ import annotations

from klaxon.adapters import versioned_docs
from klaxon.domain.noise.heartbeats import HeartbeatState

HEARTBEAT_PK = "heartbeat"


class DynamoHeartbeatStore:
    def get(self, heartbeat_id: str) -> tuple[HeartbeatState, int] | None:
        """The state and its version, or None before the heartbeat was first seen or checked."""
        return versioned_docs.read(HEARTBEAT_PK, heartbeat_id, HeartbeatState)

    def put(self, state: HeartbeatState, *, version: int | None) -> None:
        """Store `state` if the record is still at `version` (None: if there is none yet); else Conflict."""
        versioned_docs.write(HEARTBEAT_PK, state.heartbeat, state, version=version)

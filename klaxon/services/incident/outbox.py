"""The outbox relay: every incident write carries its event (klaxon.ports.IncidentRepository); the
table's change stream hands each committed write here, and the relay publishes its event.

At least once, in order: a publish that fails stops the batch there and names that record, so the
stream delivers it (and everything after it) again; nothing later is published before it. Consumers
are idempotent (an escalation starts by name, a stop stops what runs, the status page re-renders).
A record that cannot be read will never be readable: it is skipped, logged and counted (alarmed on),
so it cannot block the incidents behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from klaxon.ports import EventBus, IncidentChanges

log = logging.getLogger(__name__)


@dataclass
class Relayed:
    published: int = 0
    without_event: int = 0
    unreadable: list[str] = field(default_factory=list)  # sequence numbers skipped
    retry_from: str | None = None  # the first record not published (the rest of the batch follows it)


@dataclass
class OutboxRelay:
    changes: IncidentChanges
    bus: EventBus

    def relay(self, records: Sequence[Mapping[str, Any]]) -> Relayed:
        done = Relayed()
        for record in records:
            try:
                found = self.changes.event(record)
            except ValueError:
                log.exception("skipped an unreadable change record %s", self.changes.position(record))
                done.unreadable.append(self.changes.position(record))
                continue
            if found is None:
                done.without_event += 1
                continue
            try:
                self.bus.publish(*found)
            except Exception:
                log.exception("publishing %s failed: the stream delivers it again", found[0])
                done.retry_from = self.changes.position(record)
                return done
            done.published += 1
        return done

"""Audit log use cases: record one change made through the API, and find records by actor, target, time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from klaxon.domain.access.audit import AuditRecord, changes
from klaxon.domain.errors import InvalidInput
from klaxon.ports import ApiPrincipal, AuditLog, Clock, IdGenerator

log = logging.getLogger(__name__)
DEFAULT_LOOKBACK = timedelta(days=30)
MAX_SPAN = timedelta(days=400)


@dataclass(frozen=True)
class Request:
    """The request a change came in: its route (OpenAPI form), what it targets, and where it came from."""

    method: str
    route: str
    target: str
    source_ip: str | None
    user_agent: str | None


@dataclass
class AuditService:
    log: AuditLog
    clock: Clock
    ids: IdGenerator

    def record(self, who: ApiPrincipal, request: Request, status: int, before: Any, after: Any) -> None:
        """Keep one record of a change. A failure to keep it is logged loudly, never undoes the change."""
        found, truncated = changes(before, after)
        record = AuditRecord(
            id=self.ids.new_id(),
            at=self.clock.now(),
            actor=who.actor,
            token=who.name,
            role=who.role.value,
            method=request.method,
            route=request.route,
            target=request.target,
            status=status,
            source_ip=request.source_ip,
            user_agent=request.user_agent[:256] if request.user_agent else None,
            changes=found,
            truncated=truncated,
        )
        try:
            self.log.add(record)
        except Exception:
            log.exception("AUDIT RECORD NOT KEPT: %s", record.model_dump_json())

    def find(
        self,
        actor: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> list[AuditRecord]:
        until = until or self.clock.now() + timedelta(seconds=1)
        since = since or until - DEFAULT_LOOKBACK
        if since >= until:
            raise InvalidInput("since must be before until")
        if until - since > MAX_SPAN:
            raise InvalidInput(f"ask for at most {MAX_SPAN.days} days at a time")

        def keep(record: AuditRecord) -> bool:
            return (actor is None or actor in (record.actor, record.token)) and (
                target is None or record.target == target or record.target.startswith(f"{target}/")
            )

        return self.log.between(since, until, limit, keep)

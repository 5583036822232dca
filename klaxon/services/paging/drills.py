"""Fire drills: open a drill incident that walks an escalation policy for real, marked as a drill."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from klaxon.domain.errors import InvalidInput, NotFound
from klaxon.domain.incident.dedup import drill_key
from klaxon.domain.incident.models import Alert, AlertAction, Incident, Severity
from klaxon.ports import Clock, IdGenerator
from klaxon.services.incident.router import RouterService
from klaxon.services.paging.policies import PoliciesAndPeople


@dataclass
class DrillService:
    router: RouterService
    directory: Callable[[], PoliciesAndPeople]
    clock: Clock
    ids: IdGenerator

    def start(self, policy_id: str, service: str | None, actor: str, time_scale: float = 1.0) -> Incident:
        """A P1 drill incident on `service` (default: the first service using the policy); its waits run
        `time_scale` times faster than the policy says."""
        directory = self.directory()
        if policy_id not in directory.policies:
            raise NotFound(f"no escalation policy {policy_id!r}")
        service = service or next(
            (s for s, p in sorted(directory.service_policy.items()) if p == policy_id), None
        )
        if service is None:
            raise InvalidInput("no service to drill", [f"no service uses policy {policy_id!r}: name one"])
        if service not in directory.service_policy:
            raise NotFound(f"no service {service!r}")
        drill_id = self.ids.new_id()
        alert = Alert(
            id=drill_id,
            action=AlertAction.TRIGGER,
            dedup_key=drill_key(drill_id),
            service=service,
            integration="drill",
            source_kind="drill",
            received_at=self.clock.now(),
            summary=f"[DRILL] Fire drill of escalation policy {policy_id}",
            source=actor,
            severity=Severity.CRITICAL,
            drill=True,
            drill_time_scale=time_scale,
            escalation_policy=policy_id,
        )
        incident = self.router.route(alert).incident
        assert incident is not None  # a trigger always lands in an incident
        return incident

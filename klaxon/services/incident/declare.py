"""Declaring an incident by hand (`/klaxon declare`): an alert from the person, routed like any other, so
the incident pages, gets its runbook and its room as one from a monitoring tool would. Whoever declares
it is its commander."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from klaxon.domain.errors import InvalidInput, NotFound
from klaxon.domain.incident.models import Alert, AlertAction, Incident, Priority, Severity
from klaxon.ports import Clock, IdGenerator
from klaxon.services.incident.incidents import IncidentService
from klaxon.services.incident.router import RouterService
from klaxon.services.paging.policies import PoliciesAndPeople

DEFAULT_PRIORITY = Priority.P2  # a person declaring one says something is wrong, not how wrong


def declared_key(declaration_id: str) -> str:
    return f"declared-{declaration_id}"


@dataclass
class Declarations:
    router: RouterService
    incidents: IncidentService
    directory: Callable[[], PoliciesAndPeople]
    clock: Clock
    ids: IdGenerator

    def declare(self, title: str, actor: str, *, service: str | None, priority: Priority | None) -> Incident:
        """Open an incident titled `title` on `service` (the only one, when there is one); NotFound for an
        unknown service, InvalidInput when one must be named."""
        services = sorted(self.directory().service_policy)
        if service is None:
            if len(services) != 1:
                raise InvalidInput("name the service", [f"name one with --service: {', '.join(services)}"])
            service = services[0]
        if service not in services:
            raise NotFound(f"no service {service!r}")
        declaration = self.ids.new_id()
        alert = Alert(
            id=declaration,
            action=AlertAction.TRIGGER,
            dedup_key=declared_key(declaration),
            service=service,
            integration="declared",
            source_kind="declared",
            received_at=self.clock.now(),
            summary=title,
            source=actor,
            severity=Severity.ERROR,
            priority=priority or DEFAULT_PRIORITY,
        )
        incident = self.router.route(alert).incident
        assert incident is not None  # a trigger always lands in an incident
        return self.incidents.assign_role(incident.id, "commander", actor, actor)

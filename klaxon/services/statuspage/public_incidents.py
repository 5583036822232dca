"""Status page use cases: incidents open and resolve public incidents, people post updates, publishing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.incident.models import TimelineEntry
from klaxon.domain.statuspage.lifecycle import open_incident, post_update
from klaxon.domain.statuspage.models import (
    ComponentStatus,
    PublicIncident,
    PublicStatus,
    Snapshot,
)
from klaxon.domain.statuspage.status import component_statuses, status_for_priority
from klaxon.domain.statuspage.templates import (
    TemplateKind,
    fill,
)
from klaxon.events import DetailType, IncidentSnapshot, StatusPageUpdated
from klaxon.ports.incidents import TimelineRepository
from klaxon.ports.statuspage import StatusIncidentStore
from klaxon.services.statuspage.snapshot import (
    announced_maintenances,
    snapshot_of,
)
from klaxon.services.statuspage.template_preview import public_id, template_values

if TYPE_CHECKING:
    from klaxon.config.statuspage import StatusPageConfig
    from klaxon.domain.noise.maintenance import MaintenanceWindow
    from klaxon.ports import Clock, EventBus, IdGenerator

ATTEMPTS = 5  # optimistic-concurrency retries: an event and a person updating the same incident at once


SYSTEM_ACTOR = "system:statuspage"  # who recorded an update that opened or resolved with its incident


@dataclass
class StatusPageService:
    store: StatusIncidentStore
    settings: Callable[[], StatusPageConfig | None]
    bus: EventBus
    clock: Clock
    ids: IdGenerator
    windows: Callable[[datetime], Sequence[MaintenanceWindow]] = lambda now: ()  # service maintenance windows
    # Called with the incident each time a public update is recorded on it (that update is its last),
    # so subscribers hear of it: klaxon.services.statuspage.subscribers.announcer.
    announce: Callable[[PublicIncident], None] | None = None
    # When each component, group and window first appeared in an applied configuration.
    introductions: Callable[[], Mapping[str, datetime]] = dict
    timeline: TimelineRepository | None = None  # each public update, on its incident's timeline

    def _recorded(self, incident: PublicIncident, actor: str = SYSTEM_ACTOR) -> None:
        """A public update was stored (it is `incident`'s last): tell subscribers, and put it on the Klaxon
        incident's timeline."""
        if self.announce is not None:
            self.announce(incident)
        if self.timeline is not None and incident.updates:
            update = incident.updates[-1]
            entry = TimelineEntry(
                subject=incident.incident_id,
                at=update.created_at,
                kind="status update",
                actor=actor,
                message=f"Status page: {update.status.value}: {update.body}",
                data={"update_id": update.id, "status": update.status.value},
            )
            self.timeline.add(entry)

    def _config(self) -> StatusPageConfig | None:
        return self.settings()

    def _statuses(self, excluding: str | None = None) -> dict[str, ComponentStatus]:
        config = self._config()
        if config is None:
            return {}
        others = [i for i in self.store.all() if i.incident_id != excluding]
        return component_statuses(snapshot_of(config, others), self.clock.now())

    def on_incident(self, detail_type: DetailType, incident: IncidentSnapshot) -> PublicIncident | None:
        """An incident event opens its public incident (P1-P3, no drill, not muted, mapped service), or
        resolves it."""
        config = self._config()
        if config is None or incident.drill or incident.muted_urgency is not None:
            return None  # a muted incident (maintenance, inhibition) shows once it is released, if ever
        status = status_for_priority(incident.priority, config.priorities.mapping())
        components = config.components_of(incident.service)
        if status is None or not components:
            return None
        found = self.store.get(incident.id)
        if found is None:
            found = self._open(config, incident, dict.fromkeys(components, status))
        if detail_type is DetailType.INCIDENT_RESOLVED:
            return self._resolve(config, incident.id)
        return found[0]

    def _open(
        self, config: StatusPageConfig, incident: IncidentSnapshot, components: dict[str, ComponentStatus]
    ) -> tuple[PublicIncident, int]:
        now = self.clock.now()
        values = template_values(config, components, incident.created_at, now)
        opened = open_incident(
            public_id=public_id(incident.id),
            incident_id=incident.id,
            title=fill(config.templates.text(TemplateKind.TITLE), values),
            body=fill(config.templates.text(TemplateKind.INVESTIGATING), values),
            components=components,
            names={c.id: c.name for c in config.components},
            before=self._statuses(),
            now=now,
            started_at=incident.created_at,
            update_id=self.ids.new_id(),
        )
        # The same event delivered twice, or two events at once: the first stored stands.
        with contextlib.suppress(Conflict):
            self.store.create(opened)
            self._recorded(opened)  # only when this event stored it
        found = self.store.get(incident.id)
        assert found is not None
        return found

    def _resolve(self, config: StatusPageConfig, incident_id: str) -> PublicIncident | None:
        return self._update(config, incident_id, PublicStatus.RESOLVED, None, {}, quiet_if_resolved=True)

    def post_update(
        self,
        incident_id: str,
        status: PublicStatus,
        text: str | None = None,
        *,
        actor: str = "api",
        **values: str | None,
    ) -> PublicIncident:
        """A person's update (identified, monitoring, resolved), with their text or the template's."""
        config = self._config()
        if config is None:
            raise Conflict("there is no status page: the configuration has no `statuspage` section")
        given = {k: v for k, v in values.items() if v}
        updated = self._update(config, incident_id, status, text, given, quiet_if_resolved=False, actor=actor)
        assert updated is not None
        self.bus.publish(
            DetailType.STATUS_PAGE_UPDATED,
            StatusPageUpdated(incident_id=incident_id, status=status.value),
        )
        return updated

    def _update(
        self,
        config: StatusPageConfig,
        incident_id: str,
        status: PublicStatus,
        text: str | None,
        values: dict[str, str],
        *,
        quiet_if_resolved: bool,
        actor: str = SYSTEM_ACTOR,
    ) -> PublicIncident | None:
        for _ in range(ATTEMPTS):
            found = self.store.get(incident_id)
            if found is None:
                raise Conflict(
                    f"incident {incident_id} is not on the status page (P4, a drill, or no component)"
                )
            current, version = found
            if not current.is_open and quiet_if_resolved:
                return current
            now = self.clock.now()
            body = text or fill(
                config.templates.text(TemplateKind(status.value)),
                template_values(config, current.components, current.started_at, now) | values,
            )
            updated = post_update(
                current,
                status,
                body,
                now=now,
                update_id=self.ids.new_id(),
                names={c.id: c.name for c in config.components},
                after=self._statuses(excluding=incident_id),
            )
            try:
                self.store.replace(updated, version)
            except Conflict:
                continue
            self._recorded(updated, actor)
            return updated
        raise Conflict(f"status incident of {incident_id} kept changing; try again")

    def post_postmortem(self, incident_id: str, body: str, actor: str) -> PublicIncident:
        """Put the customer-facing post-mortem on the incident's public page (again: replaced), once it is
        resolved; it goes on the timeline and the page is published."""
        for _ in range(ATTEMPTS):
            current, version = self._found(incident_id)
            if current.is_open:
                raise Conflict(f"incident {incident_id} is still open on the status page: resolve it first")
            now = self.clock.now()
            updated = current.model_copy(
                update={"postmortem_body": body, "postmortem_published_at": now, "updated_at": now}
            )
            try:
                self.store.replace(updated, version)
            except Conflict:
                continue
            if self.timeline is not None:
                message = "Status page: the public post-mortem was posted"
                self.timeline.add(
                    TimelineEntry(
                        subject=incident_id, at=now, kind="public postmortem", actor=actor, message=message
                    )
                )
            self.bus.publish(
                DetailType.STATUS_PAGE_UPDATED,
                StatusPageUpdated(incident_id=incident_id, status="postmortem"),
            )
            return updated
        raise Conflict(f"status incident of {incident_id} kept changing; try again")

    def _found(self, incident_id: str) -> tuple[PublicIncident, int]:
        found = self.store.get(incident_id)
        if found is None:
            raise NotFound(f"incident {incident_id} is not on the status page (P4, a drill, or no component)")
        return found

    def get(self, incident_id: str) -> PublicIncident:
        return self._found(incident_id)[0]

    def request_publish(self) -> None:
        """Ask the publish function to render the site again (after a configuration change, say)."""
        self.bus.publish(DetailType.STATUS_PAGE_UPDATED, StatusPageUpdated(incident_id=None, status=None))

    def snapshot(self) -> Snapshot | None:
        config = self._config()
        if config is None:
            return None
        introduced = self.introductions()
        found = snapshot_of(config, self.store.all(), introduced)
        now = self.clock.now()
        announced = announced_maintenances(config, self.windows(now), now, introduced)
        return (
            found.model_copy(update={"maintenances": [*found.maintenances, *announced]})
            if announced
            else found
        )

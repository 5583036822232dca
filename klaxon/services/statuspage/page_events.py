"""What one event does to the status page: an incident's event opens or resolves its public incident, then
the site is published if what it shows changed; any other event (a status update, a maintenance window,
the schedule, `klaxon statuspage publish`) renders it again even if unchanged."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from klaxon.events import INCIDENT_DETAIL_TYPES, DetailType, IncidentChanged
from klaxon.ports import Published, Site
from klaxon.services.statuspage.public_incidents import StatusPageService
from klaxon.services.statuspage.publisher import StatusPagePublisher


@dataclass(frozen=True)
class PageEventOutcome:
    public_incident: str | None = None  # the public incident the event opened, updated or resolved
    published: Published = field(default_factory=Published)
    no_site: bool = False  # there was something to publish, and no site configured to publish it to


@dataclass
class StatusPageEvents:
    service: StatusPageService
    publisher: StatusPagePublisher
    site: Callable[[], Site | None]  # made at each publish: its assumed role's credentials expire

    def handle(self, detail_type: str | None, detail: Mapping[str, Any]) -> PageEventOutcome:
        is_incident = detail_type in INCIDENT_DETAIL_TYPES
        public = None
        if detail_type is not None and is_incident:
            incident = IncidentChanged.model_validate(detail).incident
            public = self.service.on_incident(DetailType(detail_type), incident)
            if public is None:
                # Not on the page (a P4, a drill, muted, a service without components): nothing it shows
                # changed. Reading every public incident to find that out was most of a busy soak's work.
                return PageEventOutcome()
        public_id = public.id if public is not None else None
        site = self.site()
        if site is None:
            return PageEventOutcome(public_id, no_site=True)
        # A public incident's event can leave the page as it was (an acknowledgement shows nothing new).
        return PageEventOutcome(public_id, self.publisher.publish(site, forced=not is_incident))

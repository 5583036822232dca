"""The `statuspage` config section: the components customers see, the services that move them, the words."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from klaxon.config.problems import Problem, raise_if_any, unknown
from klaxon.config.values import Id, TimeZone
from klaxon.domain.incident.models import Priority
from klaxon.domain.model import Model
from klaxon.domain.statuspage.models import ComponentStatus
from klaxon.domain.statuspage.templates import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    TemplateKind,
    unknown_placeholders,
)

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig

_FORBID = ConfigDict(frozen=True, extra="forbid")
_NAMES = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def _unknown_placeholder(name: str) -> str:
    close = difflib.get_close_matches(name, list(PLACEHOLDERS), n=1, cutoff=0.75)
    hint = f"did you mean {{{close[0]}}}?" if close else f"use {_NAMES} (a literal brace is {{{{ or }}}})"
    return f"unknown placeholder {{{name}}}; {hint}"


class StatusComponent(Model):
    """A part of the product as customers know it, shown with its status and 90 days of uptime."""

    model_config = _FORBID

    id: Id = Field(description="Short lowercase id, also its id in the Statuspage-compatible JSON.")
    name: str = Field(min_length=1, description="What customers call it, such as `Checkout`.")
    description: str | None = Field(default=None, description="One line under the name on the page.")
    group: str | None = Field(default=None, description="Id of the component group it is shown in.")
    services: list[str] = Field(
        default_factory=list,
        description="Ids of the services whose incidents change this component's status.",
    )


class ComponentGroupConfig(Model):
    """A heading that components are listed under; it shows the worst status of its components."""

    model_config = _FORBID

    id: Id = Field(description="Short lowercase id that components refer to.")
    name: str = Field(min_length=1, description="Display name.")
    description: str | None = Field(default=None, description="Shown in the JSON API.")


class PriorityStatuses(Model):
    """The component status an incident of each priority sets; P4 incidents never reach the page."""

    model_config = _FORBID

    P1: ComponentStatus = Field(
        default=ComponentStatus.MAJOR_OUTAGE, description="Status set by P1 incidents."
    )
    P2: ComponentStatus = Field(
        default=ComponentStatus.PARTIAL_OUTAGE, description="Status set by P2 incidents."
    )
    P3: ComponentStatus = Field(
        default=ComponentStatus.DEGRADED_PERFORMANCE, description="Status set by P3 incidents."
    )

    def __str__(self) -> str:  # how docs/configuration.md shows the default
        return "as below"

    def mapping(self) -> dict[Priority, ComponentStatus]:
        return {Priority.P1: self.P1, Priority.P2: self.P2, Priority.P3: self.P3}


class Templates(Model):
    """The words of public updates. Placeholders in braces are filled in when posting; `{{` is a brace."""

    model_config = _FORBID

    title: str = Field(
        default=DEFAULT_TEMPLATES[TemplateKind.TITLE], description="The public incident's name."
    )
    investigating: str = Field(
        default=DEFAULT_TEMPLATES[TemplateKind.INVESTIGATING],
        description="Posted the moment an incident opens.",
    )
    identified: str = Field(
        default=DEFAULT_TEMPLATES[TemplateKind.IDENTIFIED],
        description="Posted for `identified` without text.",
    )
    monitoring: str = Field(
        default=DEFAULT_TEMPLATES[TemplateKind.MONITORING],
        description="Posted for `monitoring` without text.",
    )
    resolved: str = Field(
        default=DEFAULT_TEMPLATES[TemplateKind.RESOLVED], description="Posted when the incident is resolved."
    )
    maintenance: str = Field(
        default=DEFAULT_TEMPLATES[TemplateKind.MAINTENANCE],
        description="The announcement of a maintenance window without its own text.",
    )

    @model_validator(mode="after")
    def _placeholders_are_known(self) -> Templates:
        problems: list[Problem] = [
            ((kind,), _unknown_placeholder(name))
            for kind in type(self).model_fields
            for name in unknown_placeholders(getattr(self, kind))
        ]
        raise_if_any("Templates", problems)
        return self

    def __str__(self) -> str:  # how docs/configuration.md shows the default
        return "as below"

    def text(self, kind: TemplateKind) -> str:
        text: str = getattr(self, kind.value)
        return text


class MaintenanceWindow(Model):
    """Planned work: its components show `under_maintenance` during the window, announced before it."""

    model_config = _FORBID

    id: Id = Field(description="Short lowercase id; also its page's name.")
    name: str = Field(min_length=1, description="Title, such as `Database upgrade`.")
    components: list[str] = Field(min_length=1, description="Ids of the components under maintenance.")
    start: AwareDatetime = Field(description="When it starts, with an offset (`2026-12-05T02:00:00Z`).")
    end: AwareDatetime = Field(description="When it ends, with an offset.")
    text: str | None = Field(
        default=None, description="The announcement; absent, the `maintenance` template."
    )
    announced_at: AwareDatetime | None = Field(
        default=None, description="When it was announced; absent, a week before `start`."
    )

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> MaintenanceWindow:
        if self.end <= self.start:
            raise_if_any("MaintenanceWindow", [(("end",), "a maintenance window ends after it starts")])
        return self


class SubscriberSettings(Model):
    """Who may follow the page: people by email (double opt-in) and systems by signed webhooks."""

    model_config = _FORBID

    email: bool = Field(
        default=True,
        description="Anyone may subscribe an email address, mailed once confirmed; `false` stops both.",
    )
    webhooks: bool = Field(
        default=True, description="API token holders may add webhooks, sent every update; `false` stops both."
    )
    email_from: str | None = Field(
        default=None,
        min_length=3,
        description="Sender of status emails, a verified SES identity (`Acme Status <status@acme.example>`); "
        "absent, the paging sender (`KLAXON_EMAIL_FROM`).",
    )

    def __str__(self) -> str:  # how docs/configuration.md shows the default
        return "as below"


class StatusPageConfig(Model):
    """The public status page: what it shows and the words of its updates (see docs/statuspage.md)."""

    model_config = _FORBID

    name: str = Field(default="Status", min_length=1, description="The page's title, such as `Acme Status`.")
    url: str = Field(
        default="http://127.0.0.1:8080/status/",
        pattern=r"^https?://",
        description="Where the public reaches the page; feeds and the JSON API link to it.",
    )
    time_zone: TimeZone = Field(
        default="Etc/UTC", description="The page's time zone, as the JSON API reports it."
    )
    logo_url: str | None = Field(
        default=None,
        pattern=r"^(https://|data:image/)",
        description="A logo shown before the name in the page's header: an `https://` URL (the one thing "
        "the page loads from another host) or a `data:image/...` URI. Absent, the name alone.",
    )
    accent_colour: str | None = Field(
        default=None,
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="The header's background, `#rrggbb`; its text is white or black, whichever reads "
        "better on it (at least 4.5:1). Absent, a plain header.",
    )
    components: list[StatusComponent] = Field(min_length=1, description="What the page shows, in order.")
    groups: list[ComponentGroupConfig] = Field(default_factory=list, description="Headings for components.")
    priorities: PriorityStatuses = Field(
        default_factory=PriorityStatuses, description="Which status each incident priority sets."
    )
    templates: Templates = Field(default_factory=Templates, description="The words of public updates.")
    maintenances: list[MaintenanceWindow] = Field(
        default_factory=list, description="Planned maintenance windows."
    )
    subscribers: SubscriberSettings = Field(
        default_factory=SubscriberSettings, description="Email and webhook subscribers to public updates."
    )

    @model_validator(mode="after")
    def _ids_resolve(self) -> StatusPageConfig:
        problems: list[Problem] = []
        components, groups = [c.id for c in self.components], [g.id for g in self.groups]
        for section, ids in (
            ("components", components),
            ("groups", groups),
            ("maintenances", [m.id for m in self.maintenances]),
        ):
            for i, item_id in enumerate(ids):
                if item_id in ids[:i]:
                    problems.append(((section, i, "id"), f"duplicate id {item_id!r}"))
        for i, component in enumerate(self.components):
            if component.group is not None and component.group not in groups:
                problems.append(
                    (("components", i, "group"), unknown("component group", component.group, groups))
                )
        for i, window in enumerate(self.maintenances):
            for j, component_id in enumerate(window.components):
                if component_id not in components:
                    problems.append(
                        (("maintenances", i, "components", j), unknown("component", component_id, components))
                    )
        raise_if_any("StatusPageConfig", problems)
        return self

    def components_of(self, service: str) -> list[str]:
        """The components an incident on `service` affects, in page order."""
        return [c.id for c in self.components if service in c.services]


def statuspage_services_exist(config: KlaxonConfig) -> list[Problem]:
    """Every service a status page component follows is an existing service."""
    if config.statuspage is None:
        return []
    services = [s.id for s in config.services]
    return [
        (("statuspage", "components", i, "services", j), unknown("service", service, services))
        for i, component in enumerate(config.statuspage.components)
        for j, service in enumerate(component.services)
        if service not in services
    ]


__all__ = ["StatusPageConfig", "statuspage_services_exist"]

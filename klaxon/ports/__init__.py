"""The ports services depend on; adapters implement them, tests use in-memory fakes.

The incident path's ports are here; the others live by subject beside it (config, intake, noise,
paging, statuspage) and are re-exported, so `from klaxon.ports import X` names any port."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from klaxon.domain.dedup import DedupClaim

if TYPE_CHECKING:
    from pydantic import BaseModel

    from klaxon.domain.integration import IntegrationRef
    from klaxon.domain.models import Alert, Incident, IncidentStatus, TimelineEntry, Urgency
    from klaxon.domain.paging import Page
    from klaxon.domain.schedule.models import Override, Shift
    from klaxon.events import DetailType


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    def new_id(self) -> str: ...


class EventBus(Protocol):
    def publish(self, detail_type: DetailType, detail: BaseModel) -> None:
        """Publish one event; raise if the bus did not take it (nothing accepted may be lost)."""


class PayloadStore(Protocol):
    """Claim-check storage for alerts too large to travel on the bus."""

    def put(self, key: str, body: bytes) -> str: ...

    def get(self, ref: str) -> bytes: ...


@dataclass(frozen=True)
class IncidentQuery:
    status: IncidentStatus | None = None
    service: str | None = None
    dedup_key: str | None = None
    number: int | None = None  # the incident numbered so (at most one)
    id_prefix: str | None = None  # ids that start so: a walk over every incident, for people typing ids
    limit: int = 25
    cursor: str | None = None


@dataclass
class IncidentPage:
    incidents: list[Incident] = field(default_factory=list)
    next: str | None = None


class IncidentRepository(Protocol):
    def latest_for_dedup_key(self, service: str, dedup_key: str) -> DedupClaim | None:
        """The newest claim for (service, dedup key); its incident may be open, resolved or unwritten."""

    def claim_dedup_key(
        self, service: str, dedup_key: str, incident_id: str, now: datetime, *, replaces: str | None
    ) -> None:
        """Point the dedup key at a new incident id, only if it still points at `replaces`; else Conflict."""

    def get(self, incident_id: str) -> Incident | None: ...

    def next_number(self) -> int:
        """A new, never reused incident number (gaps are possible after a lost race)."""

    def create(self, incident: Incident, *, entry: TimelineEntry) -> None:
        """Write a new incident (whose dedup key the caller has claimed) and its first timeline entry."""

    def add_alert(self, incident_id: str, alert: Alert, now: datetime) -> Incident:
        """Count one more alert on an open incident in a single write; Conflict if it is resolved."""

    def transition(
        self,
        incident_id: str,
        target: IncidentStatus,
        *,
        actor: str,
        now: datetime,
        entry: TimelineEntry,
        alert: Alert | None = None,
        expected_revision: int | None = None,
    ) -> Incident:
        """Move an incident to `target` with its timeline entry, conditional on its current status
        (and, given `expected_revision`, on no alert having joined since it was read).

        Raises Conflict when its status is not one `target` may follow (see domain.incident.allowed_from).
        """

    def restart_escalation(
        self,
        incident_id: str,
        *,
        expected_round: int,
        policy: str | None,
        from_step: int,
        retrigger: bool,
        now: datetime,
        entry: TimelineEntry,
    ) -> Incident:
        """Begin escalation round `expected_round + 1` (Conflict if the round or status moved)."""

    def query(self, query: IncidentQuery) -> IncidentPage: ...


class NoiseIncidents(IncidentRepository, Protocol):
    """What grouping, maintenance windows and inhibition need of incidents, beyond dedup."""

    def update_alerts(
        self, incident_id: str, alert: Alert, now: datetime, *, expected_revision: int
    ) -> Incident:
        """Record an open incident's alerts (one resolving), only at `expected_revision`; else Conflict."""

    def open_with_alerts(self, service: str, fingerprints: list[str]) -> list[Incident]:
        """Open incidents of `service` holding any of these fingerprints in their `alerts` map."""

    def open_matching(self, labels: dict[str, str]) -> list[Incident]:
        """Open incidents whose labels include all of `labels`."""

    def muted(self) -> list[Incident]:
        """Triggered incidents that are still muted."""

    def release(
        self,
        incident_id: str,
        *,
        urgency: Urgency,
        inhibited_by: str | None,
        now: datetime,
        entry: TimelineEntry,
    ) -> Incident:
        """Unmute a triggered incident (Conflict if it is no longer muted, or by another source)."""

    def reinhibit(
        self, incident_id: str, *, from_source: str, to_source: str, now: datetime, entry: TimelineEntry
    ) -> Incident:
        """Move a muted incident from one inhibiting incident to another (Conflict if it changed)."""


class OverrideRepository(Protocol):
    def add(self, override: Override) -> None: ...

    def list(
        self, schedule: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Override]:
        """Overrides of `schedule` that overlap [start, end) (all of them without bounds)."""

    def remove(self, schedule: str, override_id: str) -> Override:
        """Delete and return the override; NotFound if it does not exist."""


class FeedState(Protocol):
    def secret(self) -> bytes: ...

    def version(self, subject: str) -> int: ...

    def revoke(self, subject: str) -> int: ...


class Notifier(Protocol):
    """Delivers one page on its channel; returns the provider's message id or raises DeliveryFailed."""

    def send(self, page: Page) -> str: ...


class TimelineRepository(Protocol):
    def add(self, entry: TimelineEntry) -> None: ...

    def list(self, subject: str, limit: int = 500) -> list[TimelineEntry]: ...


@dataclass(frozen=True)
class ApiPrincipal:
    """Who is calling the API: the token's name (and the user it acts for, if any)."""

    name: str
    user: str | None = None

    @property
    def actor(self) -> str:
        return f"user:{self.user}" if self.user else f"token:{self.name}"


class KeysAndServices(Protocol):
    """What intake and auth need of the configuration: integrations and API principals by their key's
    hash, and the service ids."""

    def integration_for_key(self, key: str) -> IntegrationRef | None: ...

    def services(self) -> frozenset[str]: ...

    def principal_for_token(self, token: str) -> ApiPrincipal | None: ...


class GroupedAlert(Protocol):
    """An alert routed by its group: `alert` carries the group key as dedup key, and its members."""

    @property
    def alert(self) -> Alert: ...

    def joins(self, incident: Incident, now: datetime) -> bool: ...

    def joining(self, incident: Incident) -> Alert: ...


class NoisePolicy(Protocol):
    """Noise control as the router sees it (grouping, maintenance windows, inhibition); the router's
    default, `NoNoise`, does nothing."""

    def group(self, alert: Alert) -> GroupedAlert | None: ...

    def on_open(
        self, incident: Incident, alert: Alert, group: GroupedAlert | None, now: datetime
    ) -> Incident:
        """The incident as it opens: labelled, and muted in a window or under an inhibiting source."""

    def resolve_elsewhere(self, alert: Alert, joined: str) -> None: ...

    def follow_up(self, alert: Alert) -> tuple[str, Incident | None] | None:
        """Acknowledge or resolve by one alert of a group; None when its service does not group."""


@dataclass(frozen=True)
class Published:
    """What a status site publish changed: the files uploaded and the CDN paths invalidated."""

    uploaded: tuple[str, ...] = ()
    invalidated: tuple[str, ...] = ()


class Site(Protocol):
    """The static status site (S3 + CloudFront in AWS, a folder served by `klaxon up` locally)."""

    def publish(self, files: Mapping[str, bytes]) -> Published:
        """Make the site exactly `files`, writing only what changed."""


class CalendarRenderer(Protocol):
    """Shifts as an iCalendar feed calendar apps subscribe to."""

    def __call__(
        self,
        name: str,
        time_zone: str,
        entries: Iterable[tuple[str, Shift]],
        names: dict[str, str],
        now: datetime,
    ) -> bytes: ...


# The ports of each subject, re-exported (`X as X`): every port can be named from klaxon.ports.
from klaxon.ports.config import ConfigStore as ConfigStore  # noqa: E402
from klaxon.ports.intake import SnsVerifier as SnsVerifier  # noqa: E402
from klaxon.ports.intake import SubscriptionConfirmer as SubscriptionConfirmer  # noqa: E402
from klaxon.ports.noise import HeartbeatStore as HeartbeatStore  # noqa: E402
from klaxon.ports.noise import MaintenanceStore as MaintenanceStore  # noqa: E402
from klaxon.ports.paging import EscalationRunner as EscalationRunner  # noqa: E402
from klaxon.ports.paging import NotificationRecords as NotificationRecords  # noqa: E402
from klaxon.ports.paging import PageRecords as PageRecords  # noqa: E402
from klaxon.ports.statuspage import EmailSender as EmailSender  # noqa: E402
from klaxon.ports.statuspage import StatusIncidentStore as StatusIncidentStore  # noqa: E402
from klaxon.ports.statuspage import SubscriberStore as SubscriberStore  # noqa: E402
from klaxon.ports.statuspage import WebhookPoster as WebhookPoster  # noqa: E402

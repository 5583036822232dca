"""Ports of the status page: public incidents, subscribers, and the mail and webhook senders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping

    from klaxon.domain.paging.messages import EmailContent
    from klaxon.domain.statuspage.models import PublicIncident
    from klaxon.domain.statuspage.render_gate import RenderMark
    from klaxon.domain.statuspage.subscribers import Delivery, Subscriber


class StatusIncidentStore(Protocol):
    def get(self, incident_id: str) -> tuple[PublicIncident, int] | None:
        """The public incident of a Klaxon incident, with its version."""

    def create(self, incident: PublicIncident) -> None:
        """Store a new public incident; Conflict if the Klaxon incident already has one."""

    def replace(self, incident: PublicIncident, version: int) -> None:
        """Store a changed public incident; Conflict if it changed since `version` was read."""

    def all(self) -> list[PublicIncident]: ...


class RenderMarks(Protocol):
    """The one mark the status page's publishers share (klaxon.domain.statuspage.render_gate)."""

    def read(self) -> tuple[RenderMark, int]:
        """The mark and its version (0 when there is none yet), read consistently."""

    def replace(self, version: int, mark: RenderMark) -> int | None:
        """Store `mark` if the stored one is still at `version`: its new version, else None."""


class SubscriberStore(Protocol):
    def get(self, subscriber_id: str) -> tuple[Subscriber, int] | None: ...

    def create(self, subscriber: Subscriber) -> None:
        """Conflict when the id exists."""

    def replace(self, subscriber: Subscriber, version: int) -> None:
        """Conflict when it changed since `version` was read."""

    def delete(self, subscriber_id: str) -> None:
        """NotFound when there is no such subscriber."""

    def all(self) -> list[Subscriber]: ...

    def recorded(self, update_id: str) -> set[str]:
        """Ids of the subscribers a delivery of this update is recorded for."""

    def claim(self, delivery: Delivery) -> bool:
        """Record a delivery if none is; False when one is (someone else sends it, or sent it)."""

    def record(self, delivery: Delivery) -> None: ...

    def last_deliveries(self) -> dict[str, Delivery]: ...


class EmailSender(Protocol):
    def send(
        self, to: str, content: EmailContent, headers: Mapping[str, str], sender: str | None = None
    ) -> str:
        """Send one email; DeliveryFailed when the provider refuses it or cannot be reached."""


class WebhookPoster(Protocol):
    def vet(self, url: str) -> None:
        """InvalidInput unless the URL's host resolves only to addresses webhooks may go to."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST `body` to a vetted address (checked again now); DeliveryFailed unless the answer is 2xx."""


@dataclass(frozen=True)
class Published:
    """What a status site publish changed: the files uploaded and the CDN paths invalidated."""

    uploaded: tuple[str, ...] = ()
    invalidated: tuple[str, ...] = ()


class Site(Protocol):
    """The static status site (S3 + CloudFront in AWS, a folder served by `klaxon up` locally)."""

    def publish(self, files: Mapping[str, bytes]) -> Published:
        """Make the site exactly `files`, writing only what changed."""

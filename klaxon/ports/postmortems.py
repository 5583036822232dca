"""Port of the post-mortems: one versioned record per incident."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from klaxon.domain.postmortem.models import Postmortem


class PostmortemPublisher(Protocol):
    """A place published post-mortems go (a GitHub docs folder; Confluence and Notion would be others)."""

    kind: str

    def publish(self, postmortem: Postmortem) -> str:
        """Put it there, or update it there; its address. A DomainError when the place refuses."""


class PostmortemStore(Protocol):
    def get(self, incident_id: str) -> tuple[Postmortem, int] | None:
        """The incident's post-mortem and its version."""

    def put(self, postmortem: Postmortem, *, version: int | None) -> int:
        """Store it if its record is still at `version` (None: if there is none); its new version.
        Conflict otherwise."""

    def all(self) -> list[Postmortem]: ...

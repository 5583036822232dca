"""In-memory status page ports: the public incident store (versioned, like DynamoDB) and a site."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from klaxon.domain.errors import Conflict
from klaxon.domain.statuspage.models import PublicIncident
from klaxon.domain.statuspage.render_gate import RenderMark
from klaxon.ports import Published


class MemoryStatusIncidents:
    """`conflicts` makes the next that many replaces fail, as if someone else had written first."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[PublicIncident, int]] = {}
        self.conflicts = 0

    def get(self, incident_id: str) -> tuple[PublicIncident, int] | None:
        return self.items.get(incident_id)

    def create(self, incident: PublicIncident) -> None:
        if incident.incident_id in self.items:
            raise Conflict("exists")
        self.items[incident.incident_id] = (incident, 1)

    def replace(self, incident: PublicIncident, version: int) -> None:
        if self.conflicts:
            self.conflicts -= 1
            raise Conflict("changed meanwhile")
        if self.items[incident.incident_id][1] != version:
            raise Conflict("changed meanwhile")
        self.items[incident.incident_id] = (incident, version + 1)

    def all(self) -> list[PublicIncident]:
        return [incident for incident, _ in self.items.values()]


@dataclass
class MemorySite:
    files: dict[str, bytes] = field(default_factory=dict)
    uploads: list[list[str]] = field(default_factory=list)

    def publish(self, files: Mapping[str, bytes]) -> Published:
        changed = sorted(p for p, body in files.items() if self.files.get(p) != body)
        self.files.update({p: files[p] for p in changed})
        self.uploads.append(changed)
        return Published(uploaded=tuple(changed))


class MemoryRenderMarks:
    """The publishers' shared mark, with the DynamoDB adapter's versioning (conditional replace)."""

    def __init__(self) -> None:
        self.mark, self.version = RenderMark(), 0

    def read(self) -> tuple[RenderMark, int]:
        return self.mark, self.version

    def replace(self, version: int, mark: RenderMark) -> int | None:
        if version != self.version:
            return None
        self.mark, self.version = mark, version + 1
        return self.version

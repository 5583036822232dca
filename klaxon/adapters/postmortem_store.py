"""Post-mortems in the config table.

| pk | sk | value | doc |
|---|---|---|---|
| `postmortem` | incident id | version (every write is conditional on it) | Postmortem |

`live` is set while a timer has work in it (domain.postmortem.models.needs_sweeping): the reminders, the
action item retries and the nightly poll read those through the `live` index.
"""

from __future__ import annotations

from klaxon.adapters import versioned_docs
from klaxon.domain.postmortem.models import Postmortem, needs_sweeping

POSTMORTEM_PK = "postmortem"


class DynamoPostmortems:
    def get(self, incident_id: str) -> tuple[Postmortem, int] | None:
        return versioned_docs.read(POSTMORTEM_PK, incident_id, Postmortem)

    def put(self, postmortem: Postmortem, *, version: int | None) -> int:
        return versioned_docs.write(
            POSTMORTEM_PK,
            postmortem.incident_id,
            postmortem,
            version=version,
            live=needs_sweeping(postmortem),
        )

    def all(self) -> list[Postmortem]:
        return versioned_docs.all_of(POSTMORTEM_PK, Postmortem)

    def live(self) -> list[Postmortem]:
        return versioned_docs.live_of(POSTMORTEM_PK, Postmortem, needs_sweeping)

"""What each function may touch: the one place to review Klaxon's IAM, read by the Functions construct."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Access:
    """One function's grants; anything not listed is denied. Table names are kinds of TABLE_ENV."""

    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()  # read and write
    publishes_events: bool = False
    payloads: Literal["put", "get"] | None = None  # the claim-check bucket of oversized alerts

    @property
    def tables(self) -> tuple[str, ...]:
        return self.reads + self.writes


ACCESS: dict[str, Access] = {
    # Ingest authenticates integration keys (config), publishes "Alert Received" and parks oversized alerts.
    "ingest": Access(reads=("config",), publishes_events=True, payloads="put"),
    # The router turns alerts into incidents: dedup records, incidents, their timeline, the incident counter.
    "router": Access(
        writes=("incidents", "dedup", "timeline", "config"), publishes_events=True, payloads="get"
    ),
    # The API acknowledges, resolves and configures; it shows dedup keys but never replaces them.
    "api": Access(reads=("dedup",), writes=("incidents", "timeline", "config"), publishes_events=True),
}


def access_of(function: str) -> Access:
    """The grants of `function`; a function nobody has reviewed the permissions of does not deploy."""
    try:
        return ACCESS[function]
    except KeyError:
        raise LookupError(
            f"function {function!r} (klaxon.topology.FUNCTIONS) has no entry in infra.permissions.ACCESS"
        ) from None

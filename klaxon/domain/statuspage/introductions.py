"""When each named thing of the configuration first appeared: the time of the applied revision that
introduced it, kept across later applies and re-renders (a status component's `created_at`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime


def introduced(previous: Mapping[str, datetime], keys: Iterable[str], now: datetime) -> dict[str, datetime]:
    """`previous` for every key still configured, `now` for keys new in this revision; keys no longer
    configured are dropped, so one removed and added again later is new then."""
    return {key: previous.get(key, now) for key in dict.fromkeys(keys)}


def component_key(component_id: str) -> str:
    return f"statuspage.component:{component_id}"


def group_key(group_id: str) -> str:
    return f"statuspage.group:{group_id}"


def status_maintenance_key(window_id: str) -> str:
    """A maintenance window of the `statuspage` section."""
    return f"statuspage.maintenance:{window_id}"


def maintenance_window_key(window_id: str) -> str:
    """A service maintenance window of the `maintenance_windows` section."""
    return f"maintenance_window:{window_id}"

"""OpenSLO (`apiVersion: openslo/v1`, `kind: SLO`) documents as Klaxon's `slos` entries: what `klaxon
config import-openslo` prints. An SLO names its status page components in the `klaxon.dev/components`
annotation (comma-separated), else by its `service`; its first objective's `target` (0.999) is the
target; a `timeWindow` of `30d` rolling is `rolling_30d`, a calendar month (`duration: 1M`,
`isRolling: false`, `calendar.timeZone`) is `calendar_month`. Anything else is refused, naming why."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

COMPONENTS = "klaxon.dev/components"


class OpenSloError(ValueError):
    """A document Klaxon cannot take, and why."""


def slo_entry(document: dict[str, Any]) -> dict[str, Any]:
    """One OpenSLO SLO as a `slos` entry."""
    if document.get("apiVersion") != "openslo/v1" or document.get("kind") != "SLO":
        raise OpenSloError("not an OpenSLO v1 SLO (apiVersion: openslo/v1, kind: SLO)")
    metadata, spec = document.get("metadata") or {}, document.get("spec") or {}
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise OpenSloError("metadata.name is missing")
    named = (metadata.get("annotations") or {}).get(COMPONENTS) or spec.get("service")
    if not isinstance(named, str) or not named.strip():
        raise OpenSloError(f"{name}: name its components (annotation {COMPONENTS}) or its service")
    objectives = spec.get("objectives") or []
    target = objectives[0].get("target") if objectives and isinstance(objectives[0], dict) else None
    if not isinstance(target, int | float) or not 0 < target < 1:
        raise OpenSloError(f"{name}: spec.objectives[0].target must be a ratio between 0 and 1 (0.999)")
    entry: dict[str, Any] = {
        "id": name,
        "components": [c.strip() for c in named.split(",") if c.strip()],
        "target": round(target * 100, 6),
    }
    entry |= _window(name, spec.get("timeWindow") or [])
    return entry


def _window(name: str, windows: list[Any]) -> dict[str, Any]:
    window = windows[0] if windows and isinstance(windows[0], dict) else {}
    duration, rolling = window.get("duration"), window.get("isRolling")
    if rolling and duration == "30d":
        return {"window": "rolling_30d"}
    if rolling is False and duration == "1M":
        zone = (window.get("calendar") or {}).get("timeZone") or "UTC"
        return {"window": "calendar_month", "time_zone": zone}
    raise OpenSloError(
        f"{name}: the time window must be 30d rolling or a calendar month (1M, isRolling: false)"
    )


def slo_entries(documents: Iterable[Any]) -> list[dict[str, Any]]:
    return [slo_entry(d) for d in documents if d is not None]

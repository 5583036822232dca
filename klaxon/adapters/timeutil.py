"""One textual form for stored times, so DynamoDB sort keys order the same way time does."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(dt: datetime) -> str:
    """UTC, microseconds, `Z`: fixed width, so string order is time order."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))

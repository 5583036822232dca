"""Instants as senders write them: ISO 8601 text, or an epoch number as Datadog and CloudWatch send.

An epoch number is seconds, or milliseconds when it is above 10^11 (10^11 seconds is the year 5138,
10^11 milliseconds is 1973). The same rule applies to every timestamp field the API accepts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

MILLISECONDS_ABOVE = 10**11
# What an API time may be: far from the ends of `datetime`, where a lookback or a time zone overflows.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def from_epoch(number: float) -> datetime:
    """An epoch number as a UTC instant: seconds, or milliseconds when above 10^11."""
    seconds = number / 1000 if abs(number) > MILLISECONDS_ABOVE else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"epoch number {number!r} is out of range") from None


def parse_instant(value: object) -> datetime:
    """ISO 8601 text (a trailing `Z` allowed), an epoch number, or an epoch number written as text."""
    if isinstance(value, bool):
        raise ValueError("a timestamp is ISO 8601 text or an epoch number, not a boolean")
    if isinstance(value, int | float):
        return from_epoch(value)
    if not isinstance(value, str):
        raise ValueError(f"a timestamp is ISO 8601 text or an epoch number, got {type(value).__name__}")
    text = value.strip()
    try:
        return from_epoch(float(text))
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"must be an ISO 8601 timestamp or an epoch number, got {value!r}") from None
    return parsed


def _epoch_first(value: Any) -> Any:
    """Numbers (and numeric text) become instants by our rule; everything else is left to pydantic."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return value
        return from_epoch(number)
    return from_epoch(value)


def _in_range(value: datetime) -> datetime:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not EARLIEST <= aware < LATEST:
        raise ValueError(f"must be between {EARLIEST.year} and {LATEST.year}")
    return value


# A timezone-aware instant a request may carry as ISO 8601 or as an epoch number.
Instant = Annotated[AwareDatetime, BeforeValidator(_epoch_first), AfterValidator(_in_range)]
# The same, where a naive ISO time has always been taken as UTC.
LaxInstant = Annotated[datetime, BeforeValidator(_epoch_first), AfterValidator(_in_range)]

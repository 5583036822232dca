"""Rate limits: how many requests a subject (an API token, an integration, a heartbeat) may make per window.

A fixed window: every subject's count starts again at each whole window since the epoch. It costs one
counter per subject and window (one write per request), and at a window's edge a subject can get up to
twice its limit in a short burst; that is the price of never reading before writing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from klaxon.domain.errors import TooManyRequests

WINDOW = timedelta(minutes=1)
# PagerDuty's Events API v2 takes about 120 events a minute per integration key; a tool written for it
# stays under that, and a storm above it is one incident's worth of duplicates anyway.
INTEGRATION_EVENTS_PER_MINUTE = 120
# PagerDuty's REST API allows 960 requests a minute per token: scripts and dashboards written for it fit.
TOKEN_REQUESTS_PER_MINUTE = 960
# A heartbeat is a job saying "still alive", every minute at most in practice; one a second is plenty.
HEARTBEAT_PINGS_PER_MINUTE = 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Subject(StrEnum):
    """What a limit is counted per: each has its own budget, so one cannot spend another's."""

    TOKEN = "token"
    INTEGRATION = "integration"
    HEARTBEAT = "heartbeat"


@dataclass(frozen=True)
class Limits:
    """Requests a minute per subject kind (the configuration's `rate_limits`, times any scale)."""

    token: int = TOKEN_REQUESTS_PER_MINUTE
    integration: int = INTEGRATION_EVENTS_PER_MINUTE
    heartbeat: int = HEARTBEAT_PINGS_PER_MINUTE

    def of(self, subject: Subject) -> int:
        return int(getattr(self, subject.value))

    def scaled(self, factor: float) -> Limits:
        """Every limit times `factor` (at least 1): load tests raise them all at once."""
        return Limits(**{s.value: max(1, math.floor(self.of(s) * factor)) for s in Subject})


def window_of(now: datetime, window: timedelta = WINDOW) -> tuple[datetime, datetime]:
    """The fixed window holding `now`: its start (inclusive) and end (exclusive)."""
    size = window.total_seconds()
    start = _EPOCH + timedelta(seconds=math.floor((now - _EPOCH).total_seconds() / size) * size)
    return start, start + window


def retry_after(now: datetime, window: timedelta = WINDOW) -> int:
    """Whole seconds until the window holding `now` ends: when a refused subject may try again (>= 1)."""
    _, end = window_of(now, window)
    return max(1, math.ceil((end - now).total_seconds()))


def check(
    subject: Subject, name: str, count: int, limit: int, now: datetime, window: timedelta = WINDOW
) -> None:
    """`count` requests (this one included) in the window holding `now`: refused past `limit`."""
    if count <= limit:
        return
    raise TooManyRequests(
        f"{subject.value} {name} sent more than {limit} requests in {_spoken(window)}",
        retry_after=retry_after(now, window),
    )


def _spoken(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return "a minute" if seconds == 60 else f"{seconds} seconds"

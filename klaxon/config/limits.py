"""Rate limits in the configuration: requests a minute per API token, integration key and heartbeat."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from klaxon.domain.access.rate_limits import (
    HEARTBEAT_PINGS_PER_MINUTE,
    INTEGRATION_EVENTS_PER_MINUTE,
    TOKEN_REQUESTS_PER_MINUTE,
    Limits,
)
from klaxon.domain.model import Model

MAX_PER_MINUTE = 1_000_000


class RateLimitsConfig(Model):
    """How many requests a minute each credential may send; past that, it is answered `429` with
    `Retry-After` until the minute ends. Each credential has its own budget."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    integration_events_per_minute: int = Field(
        default=INTEGRATION_EVENTS_PER_MINUTE,
        ge=1,
        le=MAX_PER_MINUTE,
        description="Per integration key, on `/v2/enqueue`, `/v2/change/enqueue` and "
        "`/v1/integrations/*` (as PagerDuty's Events API v2 does, about 120). Signed sources count "
        "only requests whose signature is good.",
    )
    token_requests_per_minute: int = Field(
        default=TOKEN_REQUESTS_PER_MINUTE,
        ge=1,
        le=MAX_PER_MINUTE,
        description="Per API token, on every `/v1` route it calls (PagerDuty's REST API allows 960).",
    )
    heartbeat_pings_per_minute: int = Field(
        default=HEARTBEAT_PINGS_PER_MINUTE,
        ge=1,
        le=MAX_PER_MINUTE,
        description="Per heartbeat, on `POST /v1/heartbeats/{key}`.",
    )

    def to_domain(self) -> Limits:
        return Limits(
            token=self.token_requests_per_minute,
            integration=self.integration_events_per_minute,
            heartbeat=self.heartbeat_pings_per_minute,
        )


def limits_of(section: dict[str, Any] | None) -> Limits:
    """The limits a stored configuration's `rate_limits` section sets: the defaults when it has none."""
    return Limits() if section is None else RateLimitsConfig.model_validate(section).to_domain()

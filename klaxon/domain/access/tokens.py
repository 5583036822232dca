"""API tokens: how long one may live, how its secret looks, and when it stops working."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, ConfigDict, Field

from klaxon.domain.access.roles import Role
from klaxon.domain.errors import Forbidden, InvalidInput
from klaxon.domain.model import Model

DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=365)
SECRET_PREFIX = "klx_"
HINT_LENGTH = 4  # characters of the secret shown after it is created: its prefix and its last four
LAST_USED_STEP = timedelta(minutes=5)  # `last_used_at` is rewritten at most this often per token


class TokenRecord(Model):
    """A token as stored and listed: everything but its secret, of which only a keyed digest is kept."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str = Field(min_length=1, max_length=64)
    role: Role
    services: tuple[str, ...] = Field((), description="the services it may act on; empty: every service")
    user: str | None = Field(None, description="the person it acts for: actions are recorded as theirs")
    created_at: AwareDatetime
    created_by: str
    expires_at: AwareDatetime
    last_used_at: AwareDatetime | None = None
    hint: str = Field(description="how the secret starts and ends, e.g. `klx_…9fQa`: enough to recognise it")

    def live(self, now: datetime) -> bool:
        return now < self.expires_at

    def due_for_touch(self, now: datetime) -> bool:
        """Whether a use at `now` should be written back as `last_used_at` (at most every few minutes)."""
        return self.last_used_at is None or now - self.last_used_at >= LAST_USED_STEP


def expiry(now: datetime, days: int | None) -> datetime:
    """When a token made at `now` to live `days` (default 90) expires; more than a year is refused."""
    lifetime = DEFAULT_LIFETIME if days is None else timedelta(days=days)
    if lifetime <= timedelta(0):
        raise InvalidInput("expires_in_days must be at least 1")
    if lifetime > MAX_LIFETIME:
        raise InvalidInput(f"a token lives at most {MAX_LIFETIME.days} days; ask for fewer expires_in_days")
    return now + lifetime


def hint(secret: str) -> str:
    """What may be shown of a secret once it is stored: its prefix and its last four characters."""
    return f"{secret[: len(SECRET_PREFIX)]}…{secret[-HINT_LENGTH:]}"


def may_reach(record_services: tuple[str, ...], service: str | None) -> bool:
    """Whether a token scoped to `record_services` (empty: all) may act on something of `service`."""
    return not record_services or service in record_services


def listed_service(scope: tuple[str, ...], asked: str | None) -> str | None:
    """The service a token scoped to `scope` lists incidents of when it asks for `asked`: its one service
    by default; one of several must be named; one outside the scope is refused."""
    if not scope:
        return asked
    if asked is None:
        if len(scope) == 1:
            return scope[0]
        raise InvalidInput(
            f"this token is scoped to services {', '.join(scope)}: list one at a time (service=)"
        )
    if asked not in scope:
        raise Forbidden(f"this token is scoped to services {', '.join(scope)}, not {asked}")
    return asked

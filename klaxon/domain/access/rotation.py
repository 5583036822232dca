"""Rotating a signing secret: the new one signs at once, and the old one still verifies for a grace period
(default 24 h), so what was signed just before the rotation keeps working while it passes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from pydantic import AwareDatetime, ConfigDict, Field

from klaxon.domain.errors import InvalidInput
from klaxon.domain.model import Model

DEFAULT_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=7)
T = TypeVar("T")


class SecretVersions(Model):
    """A secret as kept: the current value, and the previous one with the end of its grace period."""

    model_config = ConfigDict(frozen=True)

    current: str = Field(min_length=16)  # Klaxon makes 64 characters; senders' secrets have at least 16
    previous: str | None = None
    previous_until: AwareDatetime | None = None
    rotated_at: AwareDatetime | None = None

    def accepted(self, now: datetime) -> list[str]:
        """The values that verify at `now`: the current first."""
        keep_previous = self.previous and self.previous_until is not None and now < self.previous_until
        return [self.current, self.previous] if keep_previous and self.previous else [self.current]

    def rotated(self, new: str, now: datetime, grace: timedelta = DEFAULT_GRACE) -> SecretVersions:
        if not timedelta(0) <= grace <= MAX_GRACE:
            raise InvalidInput(f"the grace period is 0 to {MAX_GRACE.days * 24} hours")
        return SecretVersions(current=new, previous=self.current, previous_until=now + grace, rotated_at=now)


def verified(
    secrets: Sequence[bytes], read: Callable[[bytes], T], invalid: type[Exception], expired: type[Exception]
) -> T:
    """What `read` finds under the first secret whose signature holds. `invalid` (a bad signature) moves
    on to the next secret; `expired` (a good signature, too late) is final. With none left: the last
    `invalid`."""
    failure: Exception | None = None
    for secret in secrets:
        try:
            return read(secret)
        except expired:
            raise
        except invalid as exc:
            failure = exc
    assert failure is not None, "there is always a current secret"
    raise failure


def reconciled(
    kept: Mapping[str, SecretVersions],
    wanted: Mapping[str, str],
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> dict[str, SecretVersions]:
    """The secrets to keep once a configuration that wants `wanted` (name → value) is applied at `now`: an
    unchanged one as it was, a changed one rotated (the old value verifies for `grace`), a new one added,
    and one no longer wanted gone."""
    found: dict[str, SecretVersions] = {}
    for name, value in wanted.items():
        before = kept.get(name)
        if before is None:
            found[name] = SecretVersions(current=value)
        elif before.current == value:
            found[name] = before
        else:
            found[name] = before.rotated(value, now, grace)
    return found

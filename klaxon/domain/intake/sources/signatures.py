"""Request signatures: HMAC-SHA256 checks in constant time, and timestamps too old to trust."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from klaxon.domain.digests import same
from klaxon.domain.errors import Unauthorized

MAX_AGE = timedelta(minutes=5)  # a signed timestamp older than this is a replay (or a very late retry)
MAX_AHEAD = timedelta(minutes=1)  # ahead of our clock by more than this: not a clock that can be trusted


class BadSignature(Unauthorized):
    """The request is not signed with the integration's secret (or its signed timestamp is stale)."""


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def require_hmac(secrets: Sequence[str], message: bytes, signature: str | None, header: str) -> None:
    """`signature` is the hex HMAC-SHA256 of `message` under one of `secrets` (during a rotation, the new
    and the old); else BadSignature naming `header`."""
    if signature is None:
        raise BadSignature(
            f"missing {header} header: this integration has a secret, so requests must be signed"
        )
    given = signature.strip().lower().removeprefix("sha256=")
    if not any(same(hmac_sha256_hex(secret, message), given) for secret in secrets):
        raise BadSignature(f"{header} does not match the body: is the secret the integration's secret?")


def require_secret(secrets: Sequence[str], given: str | None, header: str) -> None:
    """For senders that cannot sign: the shared secret itself (one of `secrets`), sent in `header`."""
    if given is None:
        raise BadSignature(f"missing {header} header: this integration has a secret")
    if not any(same(secret, given) for secret in secrets):
        raise BadSignature(f"{header} is not the integration's secret")


def require_fresh(timestamp: str, now: datetime, header: str) -> None:
    """A signed Unix timestamp at most MAX_AGE old and MAX_AHEAD ahead, so a capture cannot be replayed."""
    try:
        sent = datetime.fromtimestamp(float(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        raise BadSignature(f"{header} is not a Unix timestamp: {timestamp[:40]!r}") from None
    if now - sent > MAX_AGE:
        minutes = int(MAX_AGE.total_seconds() // 60)
        raise BadSignature(f"{header} is more than {minutes} minutes old: a stale or replayed request")
    if sent - now > MAX_AHEAD:
        raise BadSignature(f"{header} is more than a minute ahead of this server's clock")

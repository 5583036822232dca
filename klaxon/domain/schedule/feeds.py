"""Calendar feed tokens: signed, so calendar apps need no bearer token; versioned, so revocable."""

from __future__ import annotations

import base64
import hashlib
import hmac

from klaxon.domain.digests import same


def feed_token(secret: bytes, subject: str, version: int) -> str:
    """A URL-safe token for `subject` (e.g. `schedule:primary`) at `version`; a new version revokes it."""
    body = f"{subject}|{version}"
    mac = hmac.new(secret, body.encode(), hashlib.sha256).digest()[:18]
    return (
        base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
        + "."
        + base64.urlsafe_b64encode(mac).decode()
    )


def read_feed_token(secret: bytes, token: str) -> tuple[str, int] | None:
    """The (subject, version) a token was signed for, or None if it is not one of ours."""
    head, _, mac = token.partition(".")
    try:
        body = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode()
        subject, _, version = body.rpartition("|")
        expected = feed_token(secret, subject, int(version))
    except (ValueError, UnicodeDecodeError):
        return None
    return (subject, int(version)) if same(expected.partition(".")[2], mac) else None

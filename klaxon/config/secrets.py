"""Integration keys at rest: only their SHA-256 digest is ever stored or shown."""

from __future__ import annotations

import hashlib


def hash_key(key: str) -> str:
    """The hex SHA-256 of an integration key: what storage holds and what ingest looks keys up by.

    A plain digest (no salt) is enough because keys are long random tokens, not passwords, and
    ingest must find the integration from the key alone.
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()

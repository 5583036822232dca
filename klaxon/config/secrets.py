"""Integration keys at rest: their SHA-256 on the way in, and the part of a key that may be shown."""

from __future__ import annotations

import hashlib
import re

HINT_TAIL = 4
_PREFIX = re.compile(r"^[A-Za-z0-9]{1,8}[_-]")  # a conventional prefix such as `am-` or `klx_`


def hash_key(key: str) -> str:
    """The hex SHA-256 of an integration key: what `klaxon config apply` sends instead of the key.

    The platform stores only a keyed digest of it (HMAC under the deployment's pepper).
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_hint(key: str) -> str:
    """What may be shown of a key: its conventional prefix, if it has one, and its last four characters.

    Keys are random after any prefix, so the hint gives away 4 characters of at least 12."""
    prefix = _PREFIX.match(key)
    return f"{prefix.group(0) if prefix else ''}…{key[-HINT_TAIL:]}"

"""The `next` cursors of paged reads: a DynamoDB start key, as URL-safe base64 of its JSON. A cursor is
read back only if it has exactly the shape the read gives (string attributes of these names): a
truncated, forged or other read's cursor is a 400, never a DynamoDB error."""

from __future__ import annotations

import base64
import json
from collections.abc import Set
from typing import Any

from klaxon.domain.errors import InvalidInput

_LONGEST = 1024  # bytes of a key attribute's value: DynamoDB's limit for a sort key (a hash key's is 2048)


def encode(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def decode(cursor: str | None, names: Set[str]) -> dict[str, Any] | None:
    """The start key `cursor` names: None for no cursor, InvalidInput unless its attributes are exactly
    `names`, each a non-empty string."""
    if not cursor:
        return None
    refused = InvalidInput("invalid cursor", ["'next' is not a cursor this API returned"])
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise refused from exc
    if not isinstance(value, dict) or set(value) != names:
        raise refused
    for attribute in value.values():
        if not (isinstance(attribute, dict) and set(attribute) == {"S"} and isinstance(attribute["S"], str)):
            raise refused
        if not 0 < len(attribute["S"].encode("utf-8", "surrogatepass")) <= _LONGEST:
            raise refused
    return value

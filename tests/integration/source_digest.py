"""The canaries of klaxon.local's patches: a digest of the source of each function they replace or mirror,
so a library upgrade that changes one fails a test instead of silently changing what the patch keeps."""

from __future__ import annotations

import hashlib
import inspect
from typing import Any


def source_digest(found: Any) -> str:
    """The first 16 hex digits of the sha256 of `found`'s source (a property's getter, the original
    of a wrapper)."""
    found = found.fget if isinstance(found, property) else found
    return hashlib.sha256(inspect.getsource(inspect.unwrap(found)).encode()).hexdigest()[:16]

"""How each file of the site is served: its content type, how long caches keep it, the inline script hash."""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib import resources
from pathlib import PurePosixPath

HASHED_PREFIX = "assets/"  # files whose names carry their content hash: cached for a year
SHORT_CACHE = "public, max-age=60, stale-if-error=86400"  # HTML, JSON, feeds: change with incidents
LONG_CACHE = "public, max-age=31536000, immutable"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
}


def content_type(path: str) -> str:
    return _TYPES.get(PurePosixPath(path).suffix, "application/octet-stream")


def cache_control(path: str) -> str:
    """Hashed assets never change under their name; everything else must follow incidents within a minute."""
    return LONG_CACHE if path.startswith(HASHED_PREFIX) else SHORT_CACHE


@functools.cache
def static_text(name: str) -> str:
    return resources.files("statuspage_site").joinpath("static", name).read_text(encoding="utf-8")


@functools.cache
def local_time_script() -> str:
    """The one script of the site, inlined: it adds the visitor's local time beside each UTC time."""
    return static_text("localtime.js").strip()


def inline_script_hashes() -> list[str]:
    """CSP sources (`'sha256-…'`) allowing exactly the inline script, for the CDN's security headers."""
    digest = hashlib.sha256(local_time_script().encode()).digest()
    return [f"'sha256-{base64.b64encode(digest).decode()}'"]

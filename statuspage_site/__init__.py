"""The static status page: `render(snapshot, now)` returns every file of the site as {path: bytes}."""

from statuspage_site.pages import render
from statuspage_site.site import HASHED_PREFIX, cache_control, content_type, inline_script_hashes

__all__ = ["HASHED_PREFIX", "cache_control", "content_type", "inline_script_hashes", "render"]

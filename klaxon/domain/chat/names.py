"""Room names: `inc-<YYYY-MM-DD>-<number>-<slug of the title>`, as Slack channel names allow them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MAX_NAME = 80  # Slack: channel names are at most 80 characters
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def slug(title: str) -> str:
    """Lowercase ASCII letters and digits joined by single hyphens ("Checkout: 5xx!" -> "checkout-5xx")."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _NOT_ALLOWED.sub("-", plain.lower()).strip("-")


def room_name(number: int, title: str, opened_on: date, attempt: int = 0) -> str:
    """The room of incident `number`, opened on `opened_on`; `attempt` > 0 adds `-<attempt + 1>` after a
    name collision. The slug is cut (at a hyphen where it can be) so the name stays within 80 characters."""
    head = f"inc-{opened_on.isoformat()}-{number}"
    tail = f"-{attempt + 1}" if attempt else ""
    room = max(MAX_NAME - len(head) - len(tail) - 1, 0)
    words = slug(title)
    if len(words) > room:
        cut = words[:room]
        words = cut.rsplit("-", 1)[0] if "-" in cut and words[room] != "-" else cut
        words = words.strip("-")
    return f"{head}-{words}{tail}" if words else f"{head}{tail}"

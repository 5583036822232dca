"""The audit record of one change made through the API: who, what, when, from where, and what changed.

Secrets never reach a record: any field whose name says it holds one, and any value shaped like one of
Klaxon's secrets, is masked before the difference is taken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import AwareDatetime, ConfigDict, Field

from klaxon.domain.model import Model

MASK = "***"
MAX_CHANGES = 200  # a record names at most this many changed fields; `truncated` says there were more
_SECRET_NAME = re.compile(r"(^|_)(key|secret|token|password|key_hash|signing_secret|credentials?)$", re.I)
_SECRET_VALUE = re.compile(r"^(klx_|whsec_)")
_NOT_SECRET = frozenset({"dedup_key", "routing_key_hint", "token_id", "idempotency_key"})


class Change(Model):
    model_config = ConfigDict(frozen=True)

    path: str = Field(description="the field changed, dotted (`services.2.name`, `status`)")
    before: Any = None
    after: Any = None


class AuditRecord(Model):
    """One change, as `GET /v1/audit` lists it and the export bucket keeps it (one JSON line)."""

    model_config = ConfigDict(frozen=True)

    id: str
    at: AwareDatetime
    actor: str = Field(description="who: `token:<name>` or `user:<id>`, as on incident timelines")
    token: str = Field(description="the token's name")
    role: str
    method: str
    route: str = Field(
        description="the route matched, in OpenAPI form (`POST /v1/incidents/{incident_id}/resolve`)"
    )
    target: str = Field(description="what it changed: the path's ids joined by `/`, else the route's path")
    status: int = Field(description="the HTTP status answered")
    source_ip: str | None = None
    user_agent: str | None = None
    changes: list[Change] = Field(default_factory=list)
    truncated: bool = False


def masked(value: Any, name: str = "") -> Any:
    """`value` with every secret in it replaced by `***`."""
    if name and name not in _NOT_SECRET and _SECRET_NAME.search(name) and value is not None:
        return MASK
    if isinstance(value, Mapping):
        return {str(k): masked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    if isinstance(value, str) and _SECRET_VALUE.match(value):
        return MASK
    return value


def changes(before: Any, after: Any) -> tuple[list[Change], bool]:
    """The fields that differ between `before` and `after` (masked), and whether the list was cut short."""
    found: list[Change] = []
    _walk(masked(before), masked(after), "", found)
    return found[:MAX_CHANGES], len(found) > MAX_CHANGES


def _walk(before: Any, after: Any, path: str, found: list[Change]) -> None:
    if before == after:
        return
    if before is None and isinstance(after, Mapping):
        before = {}  # created: each of its fields is a change
    if after is None and isinstance(before, Mapping):
        after = {}  # removed: likewise
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after)):
            _walk(before.get(key), after.get(key), f"{path}.{key}" if path else str(key), found)
        return
    if _same_length_lists(before, after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            _walk(old, new, f"{path}.{index}" if path else str(index), found)
        return
    found.append(Change(path=path or "", before=before, after=after))


def _same_length_lists(before: Any, after: Any) -> bool:
    return (
        isinstance(before, Sequence)
        and isinstance(after, Sequence)
        and not isinstance(before, str)
        and not isinstance(after, str)
        and len(before) == len(after)
    )


def target_of(route_path: str, arguments: Mapping[str, str]) -> str:
    """What a request changed: its path's ids in order, else the route's path (`/v1/config`)."""
    ids = [arguments[name] for name in re.findall(r"\{(\w+)\}", route_path) if name in arguments]
    return "/".join(ids) if ids else route_path

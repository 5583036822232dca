"""`klaxon audit`: who changed what through the API, when and from where."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table

COLUMNS = ["at", "actor", "route", "target", "status", "source_ip", "changed"]


def _rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "changed": ", ".join(c["path"] or "(all)" for c in r["changes"][:5])} for r in records]


def audit(
    actor: Annotated[
        str | None, typer.Option("--actor", help="token:<name>, user:<id> or a token name")
    ] = None,
    target: Annotated[str | None, typer.Option("--target", help="An id: an incident, window, token…")] = None,
    since: Annotated[str | None, typer.Option("--since", help="From, e.g. 2026-12-01T00:00:00Z")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Before (default: now)")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 100,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Audit records of changes made through the API, newest first (admin tokens only)."""
    asked = {"actor": actor, "target": target, "since": since, "until": until, "limit": limit}
    body = call(api, token, "GET", "/v1/audit", params={k: v for k, v in asked.items() if v is not None})
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    table(_rows(body["records"]), COLUMNS, title="Audit log")

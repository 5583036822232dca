"""`klaxon changes <service>`: the change events sent for a service (deploys and the like), newest first."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table

COLUMNS = ["at", "by", "summary", "source", "links"]


def _rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "at": e["at"],
            "by": e["actor"],
            "summary": e["message"],
            "source": e["data"].get("source"),
            "links": " ".join(link.get("href", "") for link in e["data"].get("links") or []),
        }
        for e in entries
    ]


def changes(
    service: Annotated[str, typer.Argument(help="A service's id, as the configuration names it")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many, newest first")] = 20,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """A service's change events (POST /v2/change/enqueue), newest first."""
    body = call(api, token, "GET", f"/v1/services/{service}/timeline", params={"limit": limit})
    if as_json:
        typer.echo(json.dumps(body["timeline"], indent=2))
        return
    table(_rows(body["timeline"]), COLUMNS, title=f"Changes to {service}")

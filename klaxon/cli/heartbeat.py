"""`klaxon heartbeat list|ping`: jobs that must check in; silence opens an incident."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table

app = typer.Typer(help="Heartbeats: jobs that must ping regularly.", no_args_is_help=True)


@app.command("list")
def heartbeat_list(
    api: ApiOption = DEFAULT_API, token: TokenOption = DEFAULT_TOKEN, as_json: JsonOption = False
) -> None:
    """Every heartbeat: its status, last ping and when silence becomes a miss."""
    body = call(api, token, "GET", "/v1/heartbeats")
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    columns = ["id", "service", "status", "last_seen", "due_at", "interval_seconds", "grace_seconds"]
    table(body["heartbeats"], columns, title="Heartbeats")


@app.command("ping")
def heartbeat_ping(
    key: Annotated[str, typer.Argument(help="The heartbeat's key, as in its ping URL")],
    api: ApiOption = DEFAULT_API,
) -> None:
    """Ping as the job would (`curl -X POST <api>/v1/heartbeats/<key>`): no API token needed."""
    body = call(api, "", "POST", f"/v1/heartbeats/{key}")
    typer.echo(f"heartbeat {body['id']} is {body['status']}; next due by {body['due_at']}")

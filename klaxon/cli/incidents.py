"""`klaxon incidents list|show|ack|resolve`."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table

app = typer.Typer(help="List, show, acknowledge and resolve incidents.", no_args_is_help=True)


@app.command("list")
def incidents_list(
    status: Annotated[str | None, typer.Option(help="triggered, acknowledged or resolved")] = None,
    service: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 25,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Incidents, newest first."""
    params = {
        k: v for k, v in {"status": status, "service": service, "limit": limit}.items() if v is not None
    }
    body = call(api, token, "GET", "/v1/incidents", params=params)
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    table(
        body["incidents"],
        ["number", "id", "status", "priority", "service", "alert_count", "title", "created_at"],
    )


def _show(incident: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(incident, indent=2))
        return
    keys = [
        "number",
        "id",
        "title",
        "service",
        "status",
        "priority",
        "urgency",
        "dedup_key",
        "alert_count",
        "created_at",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
        "resolved_by",
    ]
    width = max(map(len, keys))
    for key in keys:
        typer.echo(f"{key.ljust(width)}  {incident.get(key) if incident.get(key) is not None else '-'}")


@app.command("show")
def incidents_show(
    incident_id: str,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """One incident and its timeline."""
    incident = call(api, token, "GET", f"/v1/incidents/{incident_id}")
    timeline = call(api, token, "GET", f"/v1/incidents/{incident_id}/timeline")["timeline"]
    if as_json:
        typer.echo(json.dumps({**incident, "timeline": timeline}, indent=2))
        return
    _show(incident, False)
    typer.echo("")
    table(timeline, ["at", "kind", "actor", "message"])


@app.command("ack")
def incidents_ack(
    incident_id: str,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Acknowledge: stops escalation; resolve later."""
    _show(call(api, token, "POST", f"/v1/incidents/{incident_id}/acknowledge"), as_json)


@app.command("resolve")
def incidents_resolve(
    incident_id: str,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Resolve."""
    _show(call(api, token, "POST", f"/v1/incidents/{incident_id}/resolve"), as_json)

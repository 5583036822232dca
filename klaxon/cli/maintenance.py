"""`klaxon maintenance list|add|remove`: windows during which services' alerts page nobody."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table
from klaxon.cli.schedule import TIME_EXAMPLE, parse_instant

app = typer.Typer(
    help="Maintenance windows: alerts inside them are recorded and page nobody.", no_args_is_help=True
)
COLUMNS = ["id", "name", "services", "active", "next_start", "next_end", "rrule", "owner", "source"]


def _rows(windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**w, "services": ", ".join(w["services"]), "active": "yes" if w["active"] else ""} for w in windows
    ]


@app.command("list")
def maintenance_list(
    api: ApiOption = DEFAULT_API, token: TokenOption = DEFAULT_TOKEN, as_json: JsonOption = False
) -> None:
    """Every window (from the configuration and the API), the next occurrence first."""
    body = call(api, token, "GET", "/v1/maintenance-windows")
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    table(_rows(body["windows"]), COLUMNS, title="Maintenance windows")


@app.command("add")
def maintenance_add(
    name: Annotated[str, typer.Argument(help="What the work is, e.g. 'Database upgrade'")],
    service: Annotated[
        list[str], typer.Option("--service", "-s", help="A service it mutes (repeat for more)")
    ],
    start: Annotated[str, typer.Option("--start", help=f"e.g. {TIME_EXAMPLE}")],
    end: Annotated[str | None, typer.Option("--end", help="When it ends (or give --minutes)")] = None,
    minutes: Annotated[int | None, typer.Option("--minutes", min=1, help="Length instead of --end")] = None,
    rrule: Annotated[
        str | None, typer.Option("--rrule", help="Repeat it, e.g. 'FREQ=WEEKLY;BYDAY=SU'")
    ] = None,
    time_zone: Annotated[str, typer.Option("--time-zone", help="Zone the rule repeats in")] = "UTC",
    owner: Annotated[str | None, typer.Option("--owner", help="User id reminded before it ends")] = None,
    window_id: Annotated[
        str | None, typer.Option("--id", help="Its id (default: made from the name)")
    ] = None,
    announce: Annotated[bool, typer.Option("--announce", help="Show it on the status page")] = False,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Add a one-off or recurring window."""
    begins = parse_instant(start, "--start")
    if (end is None) == (minutes is None):
        raise typer.BadParameter("give --end or --minutes (one of them)", param_hint="--end")
    ends = parse_instant(end, "--end") if end is not None else begins + timedelta(minutes=minutes or 0)
    request = {
        "id": window_id,
        "name": name,
        "services": service,
        "start": begins.isoformat(),
        "end": ends.isoformat(),
        "rrule": rrule,
        "time_zone": time_zone,
        "owner": owner,
        "announce": announce,
    }
    body = call(api, token, "POST", "/v1/maintenance-windows", json={k: v for k, v in request.items() if v})
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    typer.echo(f"added maintenance window {body['id']}: next {body['next_start']} to {body['next_end']}")


@app.command("remove")
def maintenance_remove(
    window_id: Annotated[str, typer.Argument(help="The window's id")],
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """Remove a window added through the API (windows in the configuration are removed there)."""
    body = call(api, token, "DELETE", f"/v1/maintenance-windows/{window_id}")
    typer.echo(f"removed maintenance window {body['id']}")

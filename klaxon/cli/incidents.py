"""`klaxon incidents list|show|watch|ack|resolve|priority|role` (`klaxon show|watch|ack|resolve` for short).

An incident is named by its number (`12`, as in the SMS reply), its id, or an unambiguous id prefix.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer

from klaxon.cli.common import (
    DEFAULT_API,
    DEFAULT_TOKEN,
    ApiOption,
    JsonOption,
    TimelineFollower,
    TokenOption,
    call,
    every_page,
    table,
)

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
        "roles",
    ]
    width = max(map(len, keys))
    for key in keys:
        typer.echo(f"{key.ljust(width)}  {incident.get(key) if incident.get(key) is not None else '-'}")


RefArgument = Annotated[str, typer.Argument(help="Incident number, id, or an unambiguous id prefix")]
CANDIDATES_SHOWN = 10


def resolve_ref(api: str, token: str, ref: str) -> str:
    """The id of the incident `ref` names; exits with the candidates when a prefix names several."""
    ref = ref.strip().lstrip("#")
    if ref.isdigit() and len(ref) < 10:
        found = call(api, token, "GET", "/v1/incidents", params={"number": ref})["incidents"]
        if found:
            return str(found[0]["id"])
    params = {"id_prefix": ref, "limit": CANDIDATES_SHOWN + 1}
    found = call(api, token, "GET", "/v1/incidents", params=params)["incidents"]
    if len(found) == 1:
        return str(found[0]["id"])
    if not found:
        typer.secho(f"no incident is numbered {ref} or has an id starting {ref!r}", err=True, fg="red")
        raise typer.Exit(1)
    more = " (and more)" if len(found) > CANDIDATES_SHOWN else ""
    typer.secho(f"{ref!r} could be any of these{more}: give more of the id", err=True, fg="red")
    for candidate in found[:CANDIDATES_SHOWN]:
        typer.secho(f"  #{candidate['number']}  {candidate['id']}  {candidate['title']}", err=True)
    raise typer.Exit(1)


@app.command("show")
def incidents_show(
    ref: RefArgument,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """One incident and its timeline."""
    incident_id = resolve_ref(api, token, ref)
    incident = call(api, token, "GET", f"/v1/incidents/{incident_id}")
    timeline = every_page(api, token, f"/v1/incidents/{incident_id}/timeline", "timeline")
    if as_json:
        typer.echo(json.dumps({**incident, "timeline": timeline}, indent=2))
        return
    _show(incident, False)
    typer.echo("")
    table(timeline, ["at", "kind", "actor", "message"])


@app.command("watch")
def incidents_watch(
    ref: RefArgument,
    until: Annotated[
        str, typer.Option(help="Stop once the incident is acknowledged or resolved")
    ] = "resolved",
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between looks")] = 1.0,
    timeout: Annotated[float | None, typer.Option(help="Give up after this many seconds")] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """Follow an incident: print each timeline entry (every page, ack, note) as it happens."""
    if until not in ("acknowledged", "resolved"):
        raise typer.BadParameter("acknowledged or resolved", param_hint="--until")
    stop_at = {"resolved"} if until == "resolved" else {"acknowledged", "resolved"}
    incident_id = resolve_ref(api, token, ref)
    deadline = None if timeout is None else time.monotonic() + timeout
    follower, started = TimelineFollower(api, token, incident_id), False
    while True:
        incident = call(api, token, "GET", f"/v1/incidents/{incident_id}")
        if not started:
            typer.echo(f"#{incident['number']} {incident['title']} ({incident['service']}): following…")
            started = True
        for entry in follower.new_entries():
            actor = f" [{entry['actor']}]" if entry.get("actor") else ""
            typer.echo(f"{entry['at']}  {entry['kind']}{actor}: {entry['message']}")
        if incident["status"] in stop_at:
            typer.echo(f"#{incident['number']} is {incident['status']}.")
            return
        if deadline is not None and time.monotonic() > deadline:
            typer.secho(f"#{incident['number']} is still {incident['status']}", fg="yellow")
            raise typer.Exit(1)
        time.sleep(interval)


@app.command("ack")
def incidents_ack(
    ref: RefArgument,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Acknowledge: stops escalation; resolve later."""
    incident_id = resolve_ref(api, token, ref)
    _show(call(api, token, "POST", f"/v1/incidents/{incident_id}/acknowledge"), as_json)


@app.command("resolve")
def incidents_resolve(
    ref: RefArgument,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Resolve."""
    incident_id = resolve_ref(api, token, ref)
    _show(call(api, token, "POST", f"/v1/incidents/{incident_id}/resolve"), as_json)


@app.command("priority")
def incidents_priority(
    ref: RefArgument,
    priority: Annotated[str, typer.Argument(help="P1, P2, P3 or P4")],
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Change an open incident's priority (its paging stays as it is)."""
    incident_id = resolve_ref(api, token, ref)
    body = {"priority": priority.upper()}
    _show(call(api, token, "PUT", f"/v1/incidents/{incident_id}/priority", json=body), as_json)


@app.command("role")
def incidents_role(
    ref: RefArgument,
    role: Annotated[str, typer.Argument(help="commander, comms or scribe")],
    user: Annotated[str, typer.Argument(help="The user id who takes the role")],
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Give an incident role to a user."""
    incident_id = resolve_ref(api, token, ref)
    answer = call(api, token, "PUT", f"/v1/incidents/{incident_id}/roles/{role}", json={"user": user})
    _show(answer, as_json)

"""`klaxon action add|list`: post-mortem action items, filed as tickets in the service's tracker."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table
from klaxon.cli.incidents import RefArgument, resolve_ref

app = typer.Typer(help="Post-mortem action items: add (filed at once), list.", no_args_is_help=True)
KINDS = ("prevent", "detect", "mitigate", "process")


@app.command("add")
def action_add(
    ref: RefArgument,
    title: Annotated[str, typer.Option("--title", help="What to do")],
    owner: Annotated[str | None, typer.Option(help="Who does it")] = None,
    due: Annotated[str | None, typer.Option(help="By when (YYYY-MM-DD)")] = None,
    priority: Annotated[str, typer.Option(help="P1 to P4")] = "P3",
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(KINDS)}")] = "prevent",
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Add an action item to the incident's post-mortem; it is filed in its tracker at once."""
    if due is not None:
        try:
            date.fromisoformat(due)
        except ValueError:
            typer.secho(f"--due {due!r} is not a date: write it as 2026-12-24", err=True, fg="red")
            raise typer.Exit(2) from None
    incident_id = resolve_ref(api, token, ref)
    body = {"title": title, "owner": owner, "due": due, "priority": priority, "kind": kind}
    body = {k: v for k, v in body.items() if v is not None}
    added = call(api, token, "POST", f"/v1/incidents/{incident_id}/postmortem/actions", json=body)
    if as_json:
        typer.echo(json.dumps(added, indent=2))
        return
    typer.echo(
        f"Added {added['id']}: {added['title']}. It is being filed; `klaxon action list` shows its ticket."
    )


def _row(found: dict[str, Any]) -> dict[str, Any]:
    item, ticket, filing = found["item"], found["item"].get("ticket"), found["item"].get("filing")
    if ticket:
        state = f"{ticket['key']} {ticket['url']}"
    elif filing and filing.get("error"):
        state = f"waiting (tried {filing['attempts']} times, next {filing['next_at']}): {filing['error']}"
    elif filing or found["postmortem_status"] == "published":
        state = "waiting to be filed"
    else:
        state = "filed when published"
    return {
        "incident": f"#{found['incident_number']}",
        "title": item["title"],
        "owner": item.get("owner") or "",
        "due": item.get("due") or "",
        "kind": item["kind"],
        "ticket": state,
        "done": item.get("done_at") or "",
    }


@app.command("list")
def action_list(
    ref: Annotated[str | None, typer.Argument(help="Only this incident's (number or id)")] = None,
    unsynced: Annotated[
        bool, typer.Option("--unsynced", help="Only items waiting for their ticket (a tracker failed)")
    ] = False,
    status: Annotated[str | None, typer.Option("--status", help="open (not done yet) or done")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner's")] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Action items with their tickets, whether they are done, and what is still waiting to be filed."""
    params: dict[str, Any] = {"unsynced": str(unsynced).lower()}
    if status is not None:
        params["status"] = status
    if owner is not None:
        params["owner"] = owner
    if ref is not None:
        params["incident_id"] = resolve_ref(api, token, ref)
    body = call(api, token, "GET", "/v1/actions", params=params)
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    rows = [_row(found) for found in body["action_items"]]
    table(rows, ["incident", "title", "owner", "due", "kind", "ticket", "done"])

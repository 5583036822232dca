"""`klaxon postmortem show|edit|publish|list|public|mark`: an incident's post-mortem, edited in $EDITOR,
its duration marks, and its customer-facing summary on the status page.

An edit is saved only if nobody saved since it was read (the post-mortem's version): otherwise it is
refused with who saved, and the edited text is kept in a file so nothing typed is lost.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table
from klaxon.cli.incidents import RefArgument, resolve_ref

app = typer.Typer(help="Post-mortems: show, edit, publish, list.", no_args_is_help=True)


def _read(api: str, token: str, ref: str) -> tuple[str, dict[str, Any]]:
    incident_id = resolve_ref(api, token, ref)
    return incident_id, call(api, token, "GET", f"/v1/incidents/{incident_id}/postmortem")


@app.command("show")
def postmortem_show(
    ref: RefArgument,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """The post-mortem's Markdown (or all of it, with --json)."""
    _, found = _read(api, token, ref)
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    postmortem = found["postmortem"]
    typer.echo(f"status: {postmortem['status']} · owner: {postmortem['owner']} · due: {postmortem['due']}")
    typer.echo(f"version: {found['version']}\n")
    typer.echo(postmortem["markdown"])


@app.command("edit")
def postmortem_edit(
    ref: RefArgument, api: ApiOption = DEFAULT_API, token: TokenOption = DEFAULT_TOKEN
) -> None:
    """Open the Markdown in $EDITOR and save it, unless someone saved since it was read."""
    incident_id, found = _read(api, token, ref)
    before = found["postmortem"]["markdown"]
    edited = click.edit(before, extension=".md", require_save=True)
    if edited is None or edited == before:
        typer.echo("No change: nothing saved.")
        return
    body = {"version": found["version"], "markdown": edited}
    try:
        saved = call(api, token, "PUT", f"/v1/incidents/{incident_id}/postmortem", json=body)
    except typer.Exit:
        kept = Path(tempfile.mkstemp(prefix="postmortem-", suffix=".md")[1])
        kept.write_text(edited, encoding="utf-8")
        typer.secho(f"Your text is kept in {kept}: read the post-mortem again and redo the edit.", err=True)
        raise
    typer.echo(f"Saved: version {saved['version']}.")


@app.command("publish")
def postmortem_publish(
    ref: RefArgument, api: ApiOption = DEFAULT_API, token: TokenOption = DEFAULT_TOKEN
) -> None:
    """Mark the post-mortem published."""
    incident_id, found = _read(api, token, ref)
    body = {"version": found["version"], "status": "published"}
    saved = call(api, token, "PUT", f"/v1/incidents/{incident_id}/postmortem", json=body)
    typer.echo(f"Published #{saved['postmortem']['incident_number']}: version {saved['version']}.")


@app.command("list")
def postmortem_list(
    service: Annotated[str | None, typer.Option()] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those past due, not published")] = False,
    search: Annotated[str | None, typer.Option("--search", help="Words in the title or text")] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Every post-mortem, newest first."""
    params: dict[str, Any] = {"overdue": str(overdue).lower()}
    params |= {k: v for k, v in {"service": service, "q": search}.items() if v}
    body = call(api, token, "GET", "/v1/postmortems", params=params)
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    columns = ["incident_number", "title", "service", "priority", "owner", "status", "due", "overdue"]
    table(body["postmortems"], columns)


@app.command("public")
def postmortem_public(
    ref: RefArgument,
    file: Annotated[
        Path | None, typer.Option("--file", help="The summary's Markdown (else $EDITOR opens)")
    ] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """Post the customer-facing summary on the status page, as the incident's public post-mortem."""
    incident_id = resolve_ref(api, token, ref)
    if file is not None:
        body = file.read_text(encoding="utf-8")
    else:
        edited = click.edit("", extension=".md", require_save=True)
        if not edited or not edited.strip():
            typer.echo("Nothing written: nothing posted.")
            return
        body = edited
    posted = call(api, token, "PUT", f"/v1/incidents/{incident_id}/postmortem/public", json={"body": body})
    typer.echo(f"Posted on the status page: {posted['name']} ({posted['id']}).")


@app.command("mark")
def postmortem_mark(
    ref: RefArgument,
    impact_start: Annotated[
        str | None, typer.Option("--impact-start", help="When impact began (ISO, e.g. 2026-12-06T13:55Z)")
    ] = None,
    mitigated: Annotated[
        str | None, typer.Option("--mitigated", help="When impact was mitigated (ISO)")
    ] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """Mark when impact began or was mitigated: the durations are measured again from the marks."""
    if impact_start is None and mitigated is None:
        raise typer.BadParameter("give --impact-start, --mitigated or both")
    incident_id, found = _read(api, token, ref)
    body: dict[str, Any] = {"version": found["version"]}
    body |= {k: v for k, v in {"impact_start": impact_start, "mitigated_at": mitigated}.items() if v}
    saved = call(api, token, "PUT", f"/v1/incidents/{incident_id}/postmortem", json=body)
    figures = saved["postmortem"]["durations"] or {}
    typer.echo(
        f"Saved: version {saved['version']}. Detect {figures.get('detect_minutes')} min, "
        f"mitigate {figures.get('mitigate_minutes')} min."
    )

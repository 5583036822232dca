"""`klaxon statuspage update|show|publish|preview`: public updates on incidents, and the words they use."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from klaxon.cli.common import (
    DEFAULT_API,
    DEFAULT_TOKEN,
    ApiOption,
    JsonOption,
    TokenOption,
    call,
    print_errors,
)

app = typer.Typer(
    help="Post public status updates, publish the page, preview its templates.", no_args_is_help=True
)


class UpdateStatus(StrEnum):
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


def _show(public: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(public, indent=2))
        return
    typer.echo(f"{public['name']}  [{public['status']}, impact {public['impact']}]")
    for update in reversed(public["updates"]):
        typer.echo(f"  {update['created_at']}  {update['status']:<13} {update['body']}")


@app.command("update")
def statuspage_update(
    incident_id: str,
    status: Annotated[UpdateStatus, typer.Option(help="What the public reads next")],
    text: Annotated[str | None, typer.Option(help="The update; absent, the status's template")] = None,
    estimated_time: Annotated[
        str | None, typer.Option(help="Fills {estimated_time}: 'about 30 minutes'")
    ] = None,
    next_update: Annotated[str | None, typer.Option(help="Fills {next_update}: '1 hour'")] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Post identified, monitoring or resolved on the incident's public status page entry."""
    body = {
        "status": status.value,
        "text": text,
        "estimated_time": estimated_time,
        "next_update": next_update,
    }
    path = f"/v1/incidents/{incident_id}/status-updates"
    _show(call(api, token, "POST", path, json={k: v for k, v in body.items() if v is not None}), as_json)


@app.command("show")
def statuspage_show(
    incident_id: str,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """The incident as the status page shows it, every public update newest first."""
    _show(call(api, token, "GET", f"/v1/incidents/{incident_id}/status-updates"), as_json)


@app.command("publish")
def statuspage_publish(api: ApiOption = DEFAULT_API, token: TokenOption = DEFAULT_TOKEN) -> None:
    """Render and publish the page again, after a configuration change."""
    typer.echo(call(api, token, "POST", "/v1/statuspage/publish")["message"])


@app.command("preview")
def statuspage_preview(
    config: Annotated[Path, typer.Option(help="Configuration file whose templates to fill")] = Path(
        "examples/acme.yaml"
    ),
    service: Annotated[str | None, typer.Option(help="The service of the example incident")] = None,
    out: Annotated[Path | None, typer.Option(help="Also render the whole site for the example here")] = None,
) -> None:
    """Every template filled in for an example P1 incident, as the public would read it (no API needed)."""
    from datetime import UTC, datetime

    from klaxon.config.loader import ConfigError, load_config
    from klaxon.services.statuspage.template_preview import preview

    try:
        loaded = load_config(config)
    except ConfigError as exc:
        print_errors(exc.errors)
        raise typer.Exit(1) from exc
    if loaded.statuspage is None:
        typer.secho(f"{config} has no statuspage section", err=True, fg="red")
        raise typer.Exit(1)
    now = datetime.now(UTC)
    for kind, text in preview(loaded.statuspage, service, now).items():
        typer.echo(f"{kind.value:<14} {text}")
    if out is not None:
        written = _render_example(loaded.statuspage, service, now, out)
        typer.echo(f"wrote {written} files to {out}; open {out / 'index.html'}")


def _render_example(config: Any, service: str | None, now: Any, out: Path) -> int:
    from klaxon.adapters.site_hosting import FolderSite
    from klaxon.services.statuspage.snapshot import snapshot_of
    from klaxon.services.statuspage.template_preview import example_incident
    from statuspage_site import render

    files = render(snapshot_of(config, [example_incident(config, service, now)]), now)
    FolderSite(out).publish(files)
    return len(files)

"""The `klaxon` command: run the platform locally, manage configuration, work incidents."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Klaxon: incident response that runs in your own AWS account.", no_args_is_help=True)
config_app = typer.Typer(help="Validate and apply configuration files.", no_args_is_help=True)
incidents_app = typer.Typer(help="List, show, acknowledge and resolve incidents.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(incidents_app, name="incidents")

ApiOption = Annotated[str, typer.Option("--api", envvar="KLAXON_API", help="Base URL of the Klaxon API")]
TokenOption = Annotated[str, typer.Option("--token", envvar="KLAXON_API_TOKEN", help="API token")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table")]
DEFAULT_API = "http://127.0.0.1:8080"
DEFAULT_TOKEN = "klaxon-dev-token"


def _client(api: str, token: str) -> Any:
    import httpx

    return httpx.Client(base_url=api.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=30.0)


def _call(api: str, token: str, method: str, path: str, **kwargs: Any) -> Any:
    import httpx

    try:
        with _client(api, token) as client:
            response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        typer.secho(f"cannot reach {api}: {exc}", err=True, fg="red")
        raise typer.Exit(2) from exc
    body = response.json() if response.content else {}
    if response.status_code >= 400:
        typer.secho(f"{response.status_code}: {body.get('message', response.text)}", err=True, fg="red")
        for error in body.get("errors", []):
            typer.secho(f"  - {error}", err=True, fg="red")
        raise typer.Exit(1)
    return body


@app.command()
def up(
    config: Annotated[Path, typer.Option(help="Configuration file to apply at start")] = Path(
        "examples/acme.yaml"
    ),
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port)")] = 8080,
    time_scale: Annotated[float, typer.Option(help="Divide every wait (escalation, grouping) by this")] = 1.0,
    verbose: Annotated[bool, typer.Option(help="Show the functions' logs")] = False,
) -> None:
    """Run the whole platform locally: real handlers over an embedded AWS emulation."""
    if verbose:
        os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
    from klaxon.config.loader import ConfigError
    from klaxon.local.platform import LocalPlatform, Options

    options = Options(config=config, host=host, port=port, time_scale=time_scale)
    try:
        platform = LocalPlatform(options).start()
    except ConfigError as exc:
        for line in exc.errors:
            typer.secho(line, err=True, fg="red")
        raise typer.Exit(1) from exc
    except OSError as exc:
        typer.secho(f"cannot listen on {host}:{port}: {exc.strerror}", err=True, fg="red")
        raise typer.Exit(1) from exc
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    url = platform.url
    typer.echo(
        "\n".join(
            [
                f"Klaxon is up on {url}  (config: {config}, time scale: {time_scale:g})",
                f"  health        {url}/healthz",
                f"  incidents     {url}/v1/incidents",
                f"  OpenAPI       {url}/v1/openapi.json",
                f"  PagerDuty v2  {url}/v2/enqueue",
                f"  Alertmanager  {url}/v1/integrations/alertmanager",
                f"  API token     {options.api_token}   (export KLAXON_API={url} KLAXON_API_TOKEN=...)",
                "Ctrl-C to stop.",
            ]
        ),
    )
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    typer.echo("stopping…")
    platform.stop()


@config_app.command("validate")
def config_validate(file: Path) -> None:
    """Check a configuration file; every problem is printed as FILE:LINE: path: reason."""
    from klaxon.config.loader import ConfigError, load_config

    try:
        config = load_config(file)
    except ConfigError as exc:
        for line in exc.errors:
            typer.secho(line, err=True, fg="red")
        raise typer.Exit(1) from exc
    counts = {k: len(v) for k, v in config.stored().items() if isinstance(v, list)}
    typer.echo(f"{file}: valid (" + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()) + ")")


@config_app.command("apply")
def config_apply(file: Path, api: ApiOption = DEFAULT_API, token: TokenOption = DEFAULT_TOKEN) -> None:
    """Validate a file locally, then replace the running configuration (integration keys travel hashed)."""
    from klaxon.config.loader import ConfigError, load_config

    try:
        config = load_config(file)
    except ConfigError as exc:
        for line in exc.errors:
            typer.secho(line, err=True, fg="red")
        raise typer.Exit(1) from exc
    body = _call(api, token, "PUT", "/v1/config", json=config.stored())
    typer.echo(f"applied {file} to {api}: " + ", ".join(f"{n} {k}" for k, n in body["applied"].items()))


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for row in rows:
        table.add_row(*[str(row.get(c) if row.get(c) is not None else "") for c in columns])
    Console().print(table)


@incidents_app.command("list")
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
    body = _call(api, token, "GET", "/v1/incidents", params=params)
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    _table(
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


@incidents_app.command("show")
def incidents_show(
    incident_id: str,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """One incident and its timeline."""
    incident = _call(api, token, "GET", f"/v1/incidents/{incident_id}")
    timeline = _call(api, token, "GET", f"/v1/incidents/{incident_id}/timeline")["timeline"]
    if as_json:
        typer.echo(json.dumps({**incident, "timeline": timeline}, indent=2))
        return
    _show(incident, False)
    typer.echo("")
    _table(timeline, ["at", "kind", "actor", "message"])


@incidents_app.command("ack")
def incidents_ack(
    incident_id: str,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Acknowledge: stops escalation; resolve later."""
    _show(_call(api, token, "POST", f"/v1/incidents/{incident_id}/acknowledge"), as_json)


@incidents_app.command("resolve")
def incidents_resolve(
    incident_id: str,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Resolve."""
    _show(_call(api, token, "POST", f"/v1/incidents/{incident_id}/resolve"), as_json)


if __name__ == "__main__":  # pragma: no cover
    app()

"""`klaxon heartbeat list|ping`: jobs that must check in; silence opens an incident."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table
from klaxon.settings import ClientSettings

app = typer.Typer(help="Heartbeats: jobs that must ping regularly.", no_args_is_help=True)
KEY_ENV = ClientSettings.env_name("heartbeat_key")
PING_PATH = "/v1/heartbeats/"


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


def key_from_config(path: Path, name: str) -> str | None:
    """The key of heartbeat `name` in a configuration file, if it is written there (not only its hash)."""
    import yaml

    document = yaml.safe_load(path.read_text()) or {}
    for heartbeat in document.get("heartbeats") or []:
        if heartbeat.get("id") == name:
            key = heartbeat.get("key")
            return str(key) if key else None
    return None


def ping_target(
    name: str, key: str | None, url: str | None, config: Path | None, api: str
) -> tuple[str, str]:
    """(base URL, path) of the ping: the heartbeat's own URL, or its key from --key, the env or the config."""
    if url:
        base, sep, rest = url.partition(PING_PATH)
        if not sep or not rest or "/" in rest:
            raise typer.BadParameter(
                f"not a heartbeat ping URL (…{PING_PATH}<key>): {url}", param_hint="--url"
            )
        return base, PING_PATH + rest
    key = (
        key
        or ClientSettings.from_environ().heartbeat_key
        or (key_from_config(config, name) if config else None)
    )
    if not key:
        where = f"{config} has no key for it (only its hash?)" if config else "no --config names it"
        raise typer.BadParameter(
            f"no key for heartbeat {name!r}: pass --key, set {KEY_ENV}, or --url with its ping URL ({where})",
            param_hint="NAME",
        )
    return api, PING_PATH + key


@app.command("ping")
def heartbeat_ping(
    name: Annotated[str, typer.Argument(help="The heartbeat's id, as in the configuration")],
    key: Annotated[str | None, typer.Option("--key", help=f"Its key (default: ${KEY_ENV})")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Its full ping URL, key included")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", exists=True, dir_okay=False, help="Read the key from this file")
    ] = None,
    api: ApiOption = DEFAULT_API,
) -> None:
    """Ping as the job would (`curl -X POST <api>/v1/heartbeats/<key>`): the key is the credential."""
    base, path = ping_target(name, key, url, config, api)
    body = call(base, "", "POST", path)
    if body["id"] != name:
        typer.secho(f"that key belongs to heartbeat {body['id']!r}, not {name!r}", err=True, fg="yellow")
    typer.echo(f"heartbeat {body['id']} is {body['status']}; next due by {body['due_at']}")

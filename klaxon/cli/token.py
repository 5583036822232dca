"""`klaxon token create|list|revoke`: API tokens with a role, an optional service scope and an expiry."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table

app = typer.Typer(help="API tokens: who may call the API, with what role, until when.", no_args_is_help=True)
COLUMNS = ["id", "name", "role", "services", "expires_at", "last_used_at", "created_by", "hint"]
ROLES = (
    "admin (config, tokens, audit), responder (incidents, status, overrides), observer (read), integration"
)


def _rows(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**t, "services": ", ".join(t["services"]) or "all"} for t in tokens]


@app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="What it is for, e.g. 'grafana' or 'alice-laptop'")],
    role: Annotated[str, typer.Option("--role", help=ROLES)],
    service: Annotated[
        list[str] | None, typer.Option("--service", "-s", help="Only this service's incidents (repeat)")
    ] = None,
    days: Annotated[int | None, typer.Option("--days", min=1, max=365, help="Lifetime (default 90)")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Record its actions as this person")] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Create a token and print its secret: this is the only time anyone sees it."""
    body = {"name": name, "role": role, "services": service or [], "expires_in_days": days, "user": user}
    created = call(api, token, "POST", "/v1/tokens", json=body)
    if as_json:
        typer.echo(json.dumps(created, indent=2))
        return
    record = created["token"]
    typer.echo(
        f"Token {record['name']} ({record['role']}, id {record['id']}), expires {record['expires_at']}"
    )
    typer.echo(created["secret"])
    typer.secho("Store it now: it is shown this once.", err=True, fg="yellow")


@app.command("list")
def token_list(
    api: ApiOption = DEFAULT_API, token: TokenOption = DEFAULT_TOKEN, as_json: JsonOption = False
) -> None:
    """Every token: name, role, scope, expiry and last use (never a secret)."""
    body = call(api, token, "GET", "/v1/tokens")
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    table(_rows(body["tokens"]), COLUMNS, title="API tokens")


@app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (from `klaxon token list`)")],
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """Revoke a token: its next request is refused, everywhere."""
    gone = call(api, token, "DELETE", f"/v1/tokens/{token_id}")
    typer.echo(f"revoked {gone['name']} ({gone['id']})")


@app.command("bootstrap")
def token_bootstrap(
    name: Annotated[str, typer.Argument(help="The first admin token's name, e.g. 'admin'")] = "admin",
    days: Annotated[int | None, typer.Option("--days", min=1, max=365, help="Lifetime (default 90)")] = None,
) -> None:
    """Create the first admin token straight in the deployment's tables (AWS credentials, not a token).

    Reads KLAXON_TABLE_CONFIG, KLAXON_PEPPER_SECRET and AWS_REGION (the stack's outputs); see
    docs/operations.md. Every later token is made with `klaxon token create`."""
    from klaxon import wiring
    from klaxon.domain.access.roles import Role
    from klaxon.services.access.tokens import NewToken
    from klaxon.settings import Settings

    container = wiring.build(Settings.from_environ())
    first = NewToken(name=name, role=Role.ADMIN, expires_in_days=days)
    created = container.token_service.create(first, created_by="klaxon token bootstrap")
    typer.echo(created.secret)
    typer.secho(f"admin token {name} (id {created.token.id}): shown this once.", err=True, fg="yellow")

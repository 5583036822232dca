"""`klaxon secrets list|rotate`: the signing secrets Klaxon keeps in Secrets Manager."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table

app = typer.Typer(help="Signing secrets: when they were rotated; rotate one.", no_args_is_help=True)
COLUMNS = ["name", "rotated_at", "previous_valid_until", "used_for"]


@app.command("list")
def secrets_list(
    api: ApiOption = DEFAULT_API, token: TokenOption = DEFAULT_TOKEN, as_json: JsonOption = False
) -> None:
    """Each rotatable secret and its last rotation (never a value)."""
    body = call(api, token, "GET", "/v1/secrets")
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    table(body["secrets"], COLUMNS, title="Signing secrets")


@app.command("rotate")
def secrets_rotate(
    name: Annotated[str, typer.Argument(help="The secret, e.g. 'link'")],
    grace_hours: Annotated[
        int, typer.Option("--grace-hours", min=0, max=168, help="How long the old one still verifies")
    ] = 24,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """Rotate a secret: the new one signs at once; what the old one signed works for the grace period."""
    rotated = call(api, token, "POST", f"/v1/secrets/{name}/rotate", json={"grace_hours": grace_hours})
    typer.echo(f"rotated {rotated['name']}; the old secret verifies until {rotated['previous_valid_until']}")

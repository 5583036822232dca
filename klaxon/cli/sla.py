"""`klaxon sla`: every customer's error budget now (docs/sla.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table


def _row(found: dict[str, Any]) -> dict[str, Any]:
    budget = found["budget"]
    state = (
        "BREACHED"
        if budget["breached"]
        else (f"runs out {budget['breach_at']}" if budget["breach_at"] else "")
    )
    return {
        "customer": found["customer_name"],
        "slo": budget["slo"],
        "target": f"{budget['target']}%",
        "allowed (min)": budget["allowed_minutes"],
        "consumed (min)": budget["consumed_minutes"],
        "remaining (min)": budget["remaining_minutes"],
        "consumed": f"{budget['consumed_percent']}%",
        "availability": f"{found['availability_percent']}%",
        "credit": f"{found['credit_percent']:g}%" if found["credit_percent"] else "",
        "state": state,
    }


def sla(
    customer: Annotated[str | None, typer.Option("--customer", help="Only this customer (its id)")] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Each customer's budget per contract: allowed, consumed and remaining minutes in the window, and when
    it runs out at the current burn."""
    body = call(api, token, "GET", "/v1/sla", params={"customer": customer} if customer else None)
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    rows = [_row(found) for found in body["budgets"]]
    columns = ["customer", "slo", "target", "allowed (min)", "consumed (min)", "remaining (min)", "consumed"]
    table(rows, [*columns, "availability", "credit", "state"], title="SLA budgets")

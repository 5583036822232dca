"""`klaxon report oncall-load`: hours on call, off-hours, weekends, pages and the stipend owed, per person."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table
from klaxon.domain.report_window import EXAMPLES, window

app = typer.Typer(help="Reports on on-call load and pay, and on alert noise.", no_args_is_help=True)
StartOption = Annotated[str | None, typer.Option("--from", help=f"Start, e.g. {EXAMPLES}")]
EndOption = Annotated[str | None, typer.Option("--to", help="End (exclusive; default now)")]
SinceOption = Annotated[str | None, typer.Option("--since", help="The last span: 7d, 12h, 2w")]
MonthOption = Annotated[str | None, typer.Option("--month", help="A calendar month: 2026-11")]


def _window(since: str | None, start: str | None, end: str | None, month: str | None) -> dict[str, str]:
    """The report's window as query parameters: the last 30 days unless told otherwise (local zone)."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    zone = now.astimezone().tzinfo or UTC
    try:
        begin, stop = window(now, zone, since=since, start=start, end=end, month=month)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return {"start": begin.isoformat(), "end": stop.isoformat()}


@app.command("oncall-load")
def report_oncall_load(
    start: StartOption = None,
    end: EndOption = None,
    since: SinceOption = None,
    month: MonthOption = None,
    weekly_rate: Annotated[
        str | None, typer.Option("--weekly-rate", help="Stipend for a full week on call, e.g. 700")
    ] = None,
    currency: Annotated[str, typer.Option(help="ISO 4217 code the rate is in")] = "USD",
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Per person over the window (default the last 30 days): hours on call, off-hours (outside
    09:00-18:00 Mon-Fri in their zone), weekend hours, pages and night pages (22:00-07:00), and the
    stipend prorated by hours / 168.
    """
    params = {**_window(since, start, end, month), "currency": currency}
    if weekly_rate is not None:
        params["weekly_rate"] = _rate(weekly_rate)
    body = call(api, token, "GET", "/v1/reports/oncall-load", params=params)
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    rows = [
        {
            "user": p["user"],
            "on call (h)": f"{p['hours_on_call']:.1f}",
            "off-hours (h)": f"{p['off_hours']:.1f}",
            "weekend (h)": f"{p['weekend_hours']:.1f}",
            "pages": p["pages"],
            "at night": p["night_pages"],
            "stipend": f"{p['stipend']} {body['currency']}" if p["stipend"] is not None else "-",
        }
        for p in body["people"]
    ]
    columns = ["user", "on call (h)", "off-hours (h)", "weekend (h)", "pages", "at night", "stipend"]
    table(rows, columns, title=f"On-call load {body['start']} to {body['end']}")
    for note in body["notes"]:
        typer.secho(f"note: {note}", fg="yellow")


def _rate(text: str) -> str:
    try:
        rate = Decimal(text)
    except InvalidOperation as exc:
        raise typer.BadParameter(f"{text!r} is not a number", param_hint="--weekly-rate") from exc
    if not rate.is_finite() or rate < 0:
        raise typer.BadParameter("must be a number of at least 0", param_hint="--weekly-rate")
    return text


@app.command("noise")
def report_noise(
    start: StartOption = None,
    end: EndOption = None,
    since: SinceOption = None,
    month: MonthOption = None,
    top: Annotated[int, typer.Option("--top", min=1, max=100, help="How many noisy dedup keys to list")] = 10,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Per alert source and service over the window (default the last 30 days): alerts, incidents,
    muted incidents, pages, acknowledgement rate and median time to acknowledge; then the noisiest
    dedup keys and routing rules.
    """
    params = {**_window(since, start, end, month), "top": str(top)}
    body = call(api, token, "GET", "/v1/reports/noise", params=params)
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    rows = [
        {
            **s,
            "ack rate": "-" if s["ack_rate"] is None else f"{s['ack_rate']:.0%}",
            "median ack (s)": "-"
            if s["median_seconds_to_ack"] is None
            else f"{s['median_seconds_to_ack']:.0f}",
        }
        for s in body["sources"]
    ]
    columns = [
        "integration",
        "service",
        "alerts",
        "incidents",
        "muted",
        "pages",
        "ack rate",
        "median ack (s)",
    ]
    table(rows, columns, title=f"Noise {body['start']} to {body['end']}")
    keys = ["dedup_key", "service", "integration", "alerts", "incidents", "pages", "acknowledged"]
    table(body["noisiest"], keys, title="Noisiest dedup keys")
    if body.get("noisiest_rules"):
        rules = ["rule", "integration", "alerts", "incidents", "pages", "acknowledged"]
        table(body["noisiest_rules"], rules, title="Noisiest routing rules")

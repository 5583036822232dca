"""`klaxon report oncall-load`: hours on call, off-hours, weekends, pages and the stipend owed, per person."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table
from klaxon.domain.report_window import EXAMPLES, last_full_month, period, window

app = typer.Typer(
    help="Reports on on-call load and pay, alert noise, action items and response times.",
    no_args_is_help=True,
)
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


FormatOption = Annotated[
    str, typer.Option("--format", help="table, json, csv (for spreadsheets) or html (printable, with charts)")
]
OutOption = Annotated[str | None, typer.Option("--out", help="The file to write (csv, html)")]
FORMATS = ("table", "json", "csv", "html", "pdf")


def _last_full_month() -> str:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return last_full_month(now, now.astimezone().tzinfo or UTC)


def _write(kind: str, body: dict[str, object], form: str, out: str | None, title: str) -> bool:
    """Write the csv or html file (or print json); False for a table, which the caller prints."""
    from pathlib import Path

    from klaxon.cli import report_files

    if form not in FORMATS:
        raise typer.BadParameter(f"{form!r}: use one of {', '.join(FORMATS)}", param_hint="--format")
    if form == "json":
        typer.echo(json.dumps(body, indent=2))
        return True
    if form == "table":
        return False
    if form == "pdf" and kind != "sla":
        raise typer.BadParameter("pdf is for `klaxon report sla`", param_hint="--format")
    path = Path(out or f"klaxon-report-{kind}.{form}").resolve()
    if form == "csv":
        text = report_files.CSV[kind](body)
        if out is None:
            typer.echo(text, nl=False)
            return True
        path.write_text(text, encoding="utf-8")
    elif form == "pdf":
        path.write_bytes(report_files.sla_pdf(body, title))
    else:
        path.write_text(report_files.html(kind, body, title), encoding="utf-8")
    typer.echo(f"{title}: {path.as_uri()}")
    return True


@app.command("actions")
def report_actions(
    month: MonthOption = None,
    start: StartOption = None,
    end: EndOption = None,
    since: SinceOption = None,
    form: FormatOption = "table",
    out: OutOption = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """Action items created in the window (default: the last full month): created and completed per month,
    team and service, the completion rate against the 80% goal, and the overdue items with their owners."""
    if not (since or start or end or month):
        month = _last_full_month()
    body = call(api, token, "GET", "/v1/reports/actions", params=_window(since, start, end, month))
    if _write("actions", body, form, out, f"Action items, {month or body['start'][:10]}"):
        return
    if body["warning"]:
        typer.secho(body["warning"], fg="red", bold=True)
    rows = [
        {**g, "done": "-" if g["completion_rate"] is None else f"{g['completion_rate']:.0%}"}
        for g in body["groups"]
    ]
    table(rows, ["month", "team", "service", "created", "completed", "done"], title="Action items")
    overdue = ["incident_number", "title", "owner", "due", "days_overdue", "ticket"]
    table(body["overdue"], overdue, title="Overdue")


@app.command("response")
def report_response(
    since: SinceOption = None,
    start: StartOption = None,
    end: EndOption = None,
    month: MonthOption = None,
    form: FormatOption = "table",
    out: OutOption = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """MTTA and MTTR (mean, median, p90 minutes) per service, team, priority and month over the window
    (default the last 90 days), with the incidents behind each; and how many post-mortems were published
    within 48 hours."""
    if not (since or start or end or month):
        since = "90d"
    body = call(api, token, "GET", "/v1/reports/response", params=_window(since, start, end, month))
    if _write("response", body, form, out, "Response times"):
        return

    def minutes(figure: dict[str, object]) -> str:
        values = [figure[k] for k in ("mean_minutes", "median_minutes", "p90_minutes")]
        return " / ".join("-" if v is None else f"{v}" for v in values)

    rows = [
        {
            "by": r["by"],
            "group": r["key"],
            "incidents": r["incidents"],
            "MTTA mean/median/p90 (min)": minutes(r["acknowledge"]),
            "MTTR mean/median/p90 (min)": minutes(r["resolve"]),
        }
        for r in body["rows"]
    ]
    columns = ["by", "group", "incidents", "MTTA mean/median/p90 (min)", "MTTR mean/median/p90 (min)"]
    table(rows, columns, title=f"Response {body['start']} to {body['end']}")
    pm = body["postmortems"]
    done = "-" if pm["rate"] is None else f"{pm['rate']:.0%}"
    typer.echo(f"Post-mortems published within 48 h: {pm['published_in_time']} of {pm['due']} ({done}).")


def _period(month: str | None, quarter: str | None, year: str | None) -> tuple[str, dict[str, str]]:
    """The report's name and [start, end) in UTC: a month, a quarter (2026-Q4) or a year; default the last
    full month."""
    from datetime import UTC, datetime

    try:
        name, begin, stop = period(datetime.now(UTC), UTC, month=month, quarter=quarter, year=year)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return name, {"start": begin.isoformat(), "end": stop.isoformat()}


@app.command("sla")
def report_sla(
    customer: Annotated[str, typer.Option("--customer", help="The customer's id")],
    month: MonthOption = None,
    quarter: Annotated[str | None, typer.Option("--quarter", help="A quarter: 2026-Q4")] = None,
    year: Annotated[str | None, typer.Option("--year", help="A year: 2026")] = None,
    form: Annotated[
        str, typer.Option("--format", help="table, json, csv, html (printable, with charts) or pdf")
    ] = "table",
    out: OutOption = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """A customer's SLA compliance (default: the last full month, UTC): per contract the target, availability
    per component and overall, the incidents that counted, maintenance left out, credits owed."""
    name, params = _period(month, quarter, year)
    body = call(api, token, "GET", "/v1/reports/sla", params={"customer": customer, **params})
    if _write("sla", body, form, out, f"{body['customer_name']}: SLA report, {name}"):
        return
    for contract in body["contracts"]:
        used = f"{contract['consumed_minutes']} of {contract['allowed_minutes']} min"
        left_out = f"maintenance left out: {contract['maintenance_minutes']} min"
        typer.echo(
            f"{body['customer_name']} · {contract['slo']}: {contract['availability_percent']}% achieved of "
            f"{contract['target']}% promised ({used}); {left_out}"
        )
        table(contract["months"], ["month", "availability_percent", "consumed_minutes", "credit_percent"])
        table(contract["incidents"], ["name", "status", "start", "end", "weight", "minutes"], title="Counted")

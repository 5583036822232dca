"""`klaxon schedule lint|diff|shifts|override`: check and preview config files; read and change shifts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig
    from klaxon.domain.schedule.findings import Finding

app = typer.Typer(
    help="Lint and diff schedule configs; list shifts; add and remove overrides.", no_args_is_help=True
)
override_app = typer.Typer(help="Add, list and remove overrides of a schedule.", no_args_is_help=True)
app.add_typer(override_app, name="override")

WEEK = timedelta(weeks=1)
TIME_EXAMPLE = "2026-03-09T09:00-04:00, 2026-03-09T13:00Z or now"
WeeksOption = Annotated[int, typer.Option("--weeks", min=1, max=104, help="How many weeks to look ahead")]
StartOption = Annotated[
    str | None, typer.Option("--start", help=f"Where the window begins (default now), e.g. {TIME_EXAMPLE}")
]


def parse_instant(text: str, option: str) -> datetime:
    """An ISO 8601 time with an offset, or `now`; a naive time is refused, as the API refuses it."""
    if text.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r} is not a time; use e.g. {TIME_EXAMPLE}", param_hint=option
        ) from exc
    if at.tzinfo is None:
        raise typer.BadParameter(f"{text!r} needs a UTC offset or Z, e.g. {TIME_EXAMPLE}", param_hint=option)
    return at


def local_time(at: datetime | str, time_zone: str) -> str:
    """`at` on the wall clock of `time_zone`, with the weekday and the zone's abbreviation."""
    from zoneinfo import ZoneInfo

    instant = datetime.fromisoformat(at) if isinstance(at, str) else at
    return f"{instant.astimezone(ZoneInfo(time_zone)):%a %Y-%m-%d %H:%M %Z}"


def span(start: datetime | str, end: datetime | str, time_zone: str) -> str:
    return f"{local_time(start, time_zone)} → {local_time(end, time_zone)}"


def load_or_exit(file: Path) -> KlaxonConfig:
    """The config in `file`; on a problem, print every error line and exit 2 (1 means findings)."""
    from klaxon.config.loader import ConfigError, load_config

    try:
        return load_config(file)
    except ConfigError as exc:
        for line in exc.errors:
            typer.secho(line, err=True, fg="red")
        raise typer.Exit(2) from exc


def guardrail_findings(config: KlaxonConfig, start: datetime, weeks: int) -> list[Finding]:
    """Every guardrail finding of the config's schedules and policies over `weeks` weeks from `start`."""
    from klaxon.domain.schedule.guardrails import lint_schedules

    return lint_schedules(config.schedules, config.escalation_policies, start, weeks)


def print_findings(findings: list[Finding], config: KlaxonConfig, *, err: bool = False) -> None:
    """One table per rule, times on each schedule's own clock."""
    from rich.console import Console
    from rich.table import Table

    from klaxon.domain.schedule.findings import Rule

    zones = {s.id: s.time_zone for s in config.schedules}
    console = Console(stderr=err)
    for rule in Rule:
        found = [f for f in findings if f.rule is rule]
        if not found:
            continue
        out = Table("schedule", "user", "when", "message", title=f"{rule.value} ({len(found)})")
        for f in found:
            when = "-" if rule is Rule.NO_BACKUP else span(f.start, f.end, zones.get(f.schedule, "UTC"))
            out.add_row(f.schedule, f.user or "", when, f.message)
        console.print(out)


def warn_about_schedules(config: KlaxonConfig, weeks: int = 8) -> None:
    """The `schedule lint` check over the next `weeks` weeks, printed to stderr as warnings."""
    findings = guardrail_findings(config, datetime.now(UTC), weeks)
    if findings:
        count = f"{len(findings)} schedule guardrail finding{'s' if len(findings) != 1 else ''}"
        typer.secho(f"warning: {count} over the next {weeks} weeks (applying anyway):", err=True, fg="yellow")
        print_findings(findings, config, err=True)


@app.command("lint")
def schedule_lint(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A Klaxon config file")],
    weeks: WeeksOption = 8,
    start: StartOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check schedules against the on-call guardrails; exit 1 on any finding, 2 if the file is invalid.

    Flags anyone on call more than 7 days in a row, back on call within 7 days of their last shift,
    stretches with nobody on call, and escalation policies with a primary schedule but no backup.
    """
    config = load_or_exit(file)
    at = parse_instant(start, "--start") if start else datetime.now(UTC)
    findings = guardrail_findings(config, at, weeks)
    if as_json:
        typer.echo(json.dumps([f.model_dump(mode="json") for f in findings], indent=2))
    else:
        print_findings(findings, config)
        count = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}" if findings else "no findings"
        typer.echo(f"{file}: {count} over {weeks} weeks from {at.isoformat(timespec='minutes')}")
    if findings:
        raise typer.Exit(1)


@app.command("diff")
def schedule_diff(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The config as it is")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The config as it would be")],
    schedule: Annotated[str | None, typer.Option(help="Only this schedule")] = None,
    weeks: WeeksOption = 8,
    start: StartOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who gains and who loses which on-call time if config OLD is replaced by NEW."""
    from klaxon.domain.schedule.diff import diff_schedules

    before, after = load_or_exit(old), load_or_exit(new)
    olds, news = before.schedules, after.schedules
    if schedule is not None:
        olds, news = [s for s in olds if s.id == schedule], [s for s in news if s.id == schedule]
        if not olds and not news:
            raise typer.BadParameter(f"neither config has a schedule {schedule!r}", param_hint="--schedule")
    at = parse_instant(start, "--start") if start else datetime.now(UTC)
    changes = diff_schedules(olds, news, at, at + weeks * WEEK)
    if as_json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in changes], indent=2))
        return
    zones = {s.id: s.time_zone for s in [*olds, *news]}
    for change in changes:
        tz = zones[change.schedule]
        rows = [
            {
                "user": u.user,
                "gains (h)": f"{u.hours_gained:g}",
                "loses (h)": f"{u.hours_lost:g}",
                "shifts gained": "\n".join(span(i.start, i.end, tz) for i in u.gained),
                "shifts lost": "\n".join(span(i.start, i.end, tz) for i in u.lost),
            }
            for u in change.users
        ]
        columns = ["user", "gains (h)", "loses (h)", "shifts gained", "shifts lost"]
        table(rows, columns, title=f"{change.schedule} ({change.change.value})")
    window = f"{weeks} weeks from {at.isoformat(timespec='minutes')}"
    typer.echo(f"{len(changes)} schedule(s) change over {window}" if changes else f"no changes over {window}")


def _time_zone(api: str, token: str, schedule_id: str) -> str:
    return str(call(api, token, "GET", f"/v1/schedules/{schedule_id}")["time_zone"])


@app.command("shifts")
def schedule_shifts(
    schedule_id: Annotated[str, typer.Argument(metavar="SCHEDULE")],
    start: Annotated[str, typer.Option("--from", help=f"e.g. {TIME_EXAMPLE}")],
    end: Annotated[str, typer.Option("--to", help="End of the window (exclusive)")],
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """The schedule's final shifts (layers and overrides applied) from --from to --to."""
    params = {
        "start": parse_instant(start, "--from").isoformat(),
        "end": parse_instant(end, "--to").isoformat(),
    }
    body = call(api, token, "GET", f"/v1/schedules/{schedule_id}/shifts", params=params)
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    tz = _time_zone(api, token, schedule_id)
    rows = [_shift_row(s, tz) for s in body["shifts"]]
    table(rows, ["user", "from", "to", "hours", "layer"], title=f"{schedule_id} ({tz})")


def _shift_row(shift: dict[str, Any], tz: str) -> dict[str, Any]:
    length = datetime.fromisoformat(shift["end"]) - datetime.fromisoformat(shift["start"])
    hours = length / timedelta(hours=1)
    return {
        "user": shift["user"],
        "from": local_time(shift["start"], tz),
        "to": local_time(shift["end"], tz),
        "hours": f"{hours:g}",
        "layer": shift["layer"],
    }


def _override_rows(overrides: list[dict[str, Any]], tz: str) -> list[dict[str, Any]]:
    return [
        {
            "id": o["id"],
            "user": o["user"],
            "from": local_time(o["start"], tz),
            "to": local_time(o["end"], tz),
            "created by": o.get("created_by"),
        }
        for o in overrides
    ]


OVERRIDE_COLUMNS = ["id", "user", "from", "to", "created by"]


@override_app.command("add")
def override_add(
    schedule_id: Annotated[str, typer.Argument(metavar="SCHEDULE")],
    user: Annotated[str, typer.Option("--user", help="Who takes the schedule")],
    start: Annotated[str, typer.Option("--from", help=f"e.g. {TIME_EXAMPLE}")],
    end: Annotated[str, typer.Option("--to", help="When the override ends (exclusive)")],
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """USER takes SCHEDULE from --from to --to, over whoever the layers put on call."""
    body = {
        "user": user,
        "start": parse_instant(start, "--from").isoformat(),
        "end": parse_instant(end, "--to").isoformat(),
    }
    created = call(api, token, "POST", f"/v1/schedules/{schedule_id}/overrides", json=body)
    if as_json:
        typer.echo(json.dumps(created, indent=2))
        return
    tz = _time_zone(api, token, schedule_id)
    table(_override_rows([created], tz), OVERRIDE_COLUMNS, title=f"override added to {schedule_id}")


@override_app.command("list")
def override_list(
    schedule_id: Annotated[str, typer.Argument(metavar="SCHEDULE")],
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Every override of SCHEDULE, by start."""
    body = call(api, token, "GET", f"/v1/schedules/{schedule_id}/overrides")
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    tz = _time_zone(api, token, schedule_id)
    table(_override_rows(body["overrides"], tz), OVERRIDE_COLUMNS, title=f"overrides of {schedule_id} ({tz})")


@override_app.command("remove")
def override_remove(
    schedule_id: Annotated[str, typer.Argument(metavar="SCHEDULE")],
    override_id: Annotated[str, typer.Argument(metavar="ID")],
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Remove override ID from SCHEDULE; the layers' shifts show through again."""
    removed = call(api, token, "DELETE", f"/v1/schedules/{schedule_id}/overrides/{override_id}")
    if as_json:
        typer.echo(json.dumps(removed, indent=2))
        return
    tz = _time_zone(api, token, schedule_id)
    when = span(removed["start"], removed["end"], tz)
    typer.echo(f"removed override {removed['id']}: {removed['user']} {when}")

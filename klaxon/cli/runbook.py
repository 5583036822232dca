"""`klaxon runbook test|list`: which runbook an alert's incident would get and why, and who has none.

Both read the running platform's configuration (`GET /v1/config`), or a file with `--config` to try one
before applying it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table

if TYPE_CHECKING:
    from klaxon.domain.incident.models import Alert
    from klaxon.domain.runbooks.choice import Runbooks

app = typer.Typer(help="Which runbook an incident gets, and which services have none.", no_args_is_help=True)
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="A configuration file (default: the running platform's)")
]
_FIELDS = ("summary", "source", "severity", "component", "group", "class")


def _sections(config: Path | None, api: str, token: str) -> dict[str, Any]:
    """The configuration's `services` and `runbooks`, from the file or the running platform."""
    if config is None:
        document: dict[str, Any] = call(api, token, "GET", "/v1/config")
        return document
    from klaxon.config.loader import ConfigError, load_config

    try:
        return load_config(config).model_dump(mode="json", exclude_none=True)
    except ConfigError as exc:
        for line in exc.errors:
            typer.secho(line, err=True, fg="red")
        raise typer.Exit(1) from exc


def _runbooks(document: dict[str, Any]) -> Runbooks:
    from klaxon.config.runbooks import RunbookEntry
    from klaxon.domain.runbooks.choice import Runbooks

    services = document.get("services", [])
    return Runbooks(
        [RunbookEntry.model_validate(entry).to_domain() for entry in document.get("runbooks", [])],
        {s["id"]: s["runbook"] for s in services if s.get("runbook")},
    )


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{item!r}: give NAME=VALUE", param_hint=option)
        found[name.strip()] = value.strip()
    return found


def _alert(labels: dict[str, str], fields: dict[str, str], runbook_url: str | None) -> Alert:
    from pydantic import ValidationError

    from klaxon.domain.incident.models import Alert, AlertAction, Link

    unknown = sorted(set(fields) - set(_FIELDS))
    if unknown:
        raise typer.BadParameter(f"{unknown}: the fields are {', '.join(_FIELDS)}", param_hint="--field")
    data = {
        "id": "test",
        "action": AlertAction.TRIGGER,
        "dedup_key": "test",
        "service": labels.pop("service", ""),
        "integration": "cli",
        "source_kind": "cli",
        "received_at": datetime.now(UTC),
        "labels": labels,
        "links": [Link(href=runbook_url, text="runbook")] if runbook_url else [],
        **fields,
    }
    try:
        return Alert.model_validate(data)
    except ValidationError as exc:  # a severity that is not one, say
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise typer.BadParameter(problems, param_hint="--field") from exc


@app.command("test")
def runbook_test(
    label: Annotated[
        list[str] | None, typer.Option("--label", help="NAME=VALUE; `service=db` is the routed service")
    ] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", help=f"NAME=VALUE of an alert field: {', '.join(_FIELDS)}")
    ] = None,
    runbook_url: Annotated[
        str | None, typer.Option("--runbook-url", help="The alert's own runbook_url, if it sends one")
    ] = None,
    config: ConfigOption = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
) -> None:
    """Which runbook an incident opened by an alert with these labels and fields gets, and why.

    Each entry is shown most specific first: matched, or the first condition that failed.
    """
    alert = _alert(_pairs(label, "--label"), _pairs(field, "--field"), runbook_url)
    traces, chosen = _runbooks(_sections(config, api, token)).explain(alert)
    typer.echo(f"entries ({len(traces)}), most specific first:" if traces else "entries: none")
    for trace in traces:
        mark = typer.style("matched", fg="green") if trace.matched else typer.style("no     ", fg="yellow")
        typer.echo(f"  {mark} {trace.id}: {trace.reason}")
    if chosen is None:
        typer.echo("result:   no runbook (no entry matched and the service has no default runbook)")
        return
    title = f"{chosen.title} " if chosen.title else ""
    typer.echo(f"result:   {title}{chosen.url}")
    typer.echo(f"why:      {chosen.reason}")


@app.command("list")
def runbook_list(
    config: ConfigOption = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Every runbook with what it matches, each service's default, and the services that have none."""
    document = _sections(config, api, token)
    runbooks = _runbooks(document)
    services = [s["id"] for s in document.get("services", [])]
    rows = [
        {
            "id": entry.runbook.id,
            "title": entry.runbook.title,
            "url": entry.runbook.url,
            "matches": "; ".join(c.condition.describe() for c in entry.checks) or "every alert",
        }
        for entry in runbooks.ordered
    ]
    defaults = [{"service": s, "url": url} for s, url in sorted(runbooks.service_defaults.items())]
    missing = runbooks.without_runbook(services)
    if as_json:
        found = {"runbooks": rows, "service_defaults": defaults, "services_without_runbook": missing}
        typer.echo(json.dumps(found, indent=2))
        return
    table(rows, ["id", "title", "url", "matches"], title="Runbooks (most specific first)")
    if defaults:
        table(defaults, ["service", "url"], title="Default runbooks of services")
    typer.echo(
        f"services without a runbook: {', '.join(missing)}" if missing else "every service has a runbook"
    )

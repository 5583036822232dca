"""`klaxon route test`: which routing rule an alert would match, and why each rule did or did not."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from klaxon.cli.common import print_errors

if TYPE_CHECKING:
    from klaxon.domain.incident.models import Alert
    from klaxon.domain.intake.integration import IntegrationRef
    from klaxon.domain.intake.sources import Ignored

app = typer.Typer(help="Try an integration's routing rules on a payload.", no_args_is_help=True)


def _fail(lines: list[str]) -> typer.Exit:
    print_errors(lines)
    return typer.Exit(1)


def _parse(
    ref: IntegrationRef, body: Any, headers: dict[str, str], services: frozenset[str]
) -> Alert | Ignored:
    from klaxon.domain.intake import pagerduty
    from klaxon.domain.intake.sources import SOURCES

    now = datetime.now(UTC)
    source = SOURCES.get(ref.kind)
    if source is None or (ref.kind == "generic" and ref.fields is None):  # a PagerDuty Events v2 event
        return pagerduty.parse_alert_event(
            body,
            alert_id="test",
            generated_dedup_key="generated",
            service=ref.service,
            integration=ref.id,
            now=now,
        )
    return source.parse(
        body, headers=headers, alert_id="test", integration=ref, known_services=services, now=now
    )


def _describe(alert: Alert) -> list[str]:
    labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items())) or "none"
    return [
        f"alert:    {alert.action.value} {alert.summary or ''}".rstrip(),
        f"          dedup key {alert.dedup_key}, severity {alert.severity or 'none'}, source {alert.source}",
        f"          service before rules: {alert.service}; labels: {labels}",
    ]


@app.command("test")
def route_test(
    file: Annotated[Path, typer.Argument(help="Configuration file")],
    integration: Annotated[str, typer.Option("--integration", help="Id of the integration to try")],
    payload: Annotated[Path, typer.Option("--payload", help="A JSON payload as the tool would send it")],
    header: Annotated[
        list[str] | None, typer.Option("--header", help="NAME:VALUE, e.g. Sentry-Hook-Resource")
    ] = None,
) -> None:
    """Parse PAYLOAD as the integration's tool, then show each rule: matched, or the condition that failed.

    Signatures are not checked. The result is the service, priority and urgency the incident would get.
    """
    from klaxon.config.loader import ConfigError, load_config
    from klaxon.domain.errors import InvalidInput
    from klaxon.domain.intake.routing import compile_rules, explain
    from klaxon.domain.intake.sources import Ignored
    from klaxon.services.configuration import integration_ref

    try:
        config = load_config(file)
    except ConfigError as exc:
        raise _fail(exc.errors) from exc
    found = next((i for i in config.integrations if i.id == integration), None)
    if found is None:
        ids = ", ".join(i.id for i in config.integrations)
        raise _fail([f"{file}: no integration {integration!r}; there are {ids}"])
    ref = integration_ref(found)
    headers = {}
    for item in header or []:
        name, _, value = item.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        body = json.loads(payload.read_bytes())
        parsed = _parse(ref, body, headers, frozenset(s.id for s in config.services))
    except (OSError, ValueError) as exc:
        raise _fail([f"{payload}: {exc}"]) from exc
    except InvalidInput as exc:
        raise _fail([f"{payload}: {exc.message}", *(f"  - {e}" for e in exc.errors)]) from exc
    if isinstance(parsed, Ignored):
        typer.echo(f"ignored: {parsed.reason} (no alert, nothing to route)")
        return
    typer.echo("\n".join(_describe(parsed)))
    traces, decision = explain(compile_rules(ref.rules), parsed)
    typer.echo(f"rules of {ref.id} ({len(ref.rules)}):" if ref.rules else f"rules of {ref.id}: none")
    for trace in traces:
        mark = typer.style("matched", fg="green") if trace.matched else typer.style("no     ", fg="yellow")
        typer.echo(f"  {mark} {trace.rule}: {trace.reason}")
    for rule in ref.rules[len(traces) :]:
        typer.echo(f"  -       {rule.name}: not tried, an earlier rule matched")
    if decision.drop:
        typer.echo(f"result:   dropped by rule {decision.rule!r} (answered 202, no incident, a log line)")
        return
    why = f"rule {decision.rule!r}" if decision.rule else "no rule matched"
    settings = f"service {decision.service}, priority {decision.priority}, urgency {decision.urgency}"
    typer.echo(f"result:   {settings} ({why})")

"""The `klaxon` command: run the platform locally, manage configuration, work incidents.

Each command group lives in its own module and is registered here.
"""

from __future__ import annotations

import typer

from klaxon.cli import (
    action,
    audit,
    changes,
    config,
    drill,
    heartbeat,
    incidents,
    maintenance,
    oncall,
    postmortem,
    report,
    route,
    runbook,
    schedule,
    secrets,
    sla,
    statuspage,
    token,
    up,
)

app = typer.Typer(help="Klaxon: incident response that runs in your own AWS account.", no_args_is_help=True)
app.command()(up.up)
app.command("drill")(drill.drill)
app.add_typer(config.app, name="config")
app.add_typer(incidents.app, name="incidents")
for _name, _command in (
    ("show", incidents.incidents_show),
    ("watch", incidents.incidents_watch),
    ("ack", incidents.incidents_ack),
    ("resolve", incidents.incidents_resolve),
):
    app.command(_name)(_command)  # `klaxon ack 12`: the incident commands people type most
app.command("oncall")(oncall.oncall)
app.command("sla")(sla.sla)
app.add_typer(schedule.app, name="schedule")
app.add_typer(report.app, name="report")
app.add_typer(route.app, name="route")
app.add_typer(runbook.app, name="runbook")
app.add_typer(postmortem.app, name="postmortem")
app.add_typer(action.app, name="action")
app.add_typer(statuspage.app, name="statuspage")
app.add_typer(maintenance.app, name="maintenance")
app.add_typer(heartbeat.app, name="heartbeat")
app.add_typer(token.app, name="token")
app.add_typer(secrets.app, name="secrets")
app.command("audit")(audit.audit)
app.command("changes")(changes.changes)

"""`klaxon drill`: prove an escalation policy works by walking it for real, marked as a drill."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table

FINAL_KINDS = {"escalation finished"}


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _report(
    incident: dict[str, Any], pages: list[dict[str, Any]], timeline: list[dict[str, Any]]
) -> dict[str, Any]:
    start = _when(incident["created_at"])
    rows = [
        {
            "step": n["step"] + 1,
            "loop": n["loop"],
            "after": f"{(_when(n['sent_at']) - start).total_seconds():.1f}s",
            "user": n["user"],
            "channel": n["channel"],
            "to": n["to"],
            "status": n["status"],
            "error": n.get("error") or "",
        }
        for n in pages
    ]
    gaps = [e["message"] for e in timeline if e["kind"] == "escalation gap"]
    failed = [r for r in rows if r["status"] == "failed"]
    return {
        "incident": incident["id"],
        "number": incident["number"],
        "pages": rows,
        "gaps": gaps,
        "failed": failed,
        "acknowledged_by": incident.get("acknowledged_by"),
        "finished": any(e["kind"] in FINAL_KINDS for e in timeline),
        "passed": not gaps and not failed,
    }


def drill(
    policy: Annotated[str, typer.Option("--policy", help="Escalation policy to walk")],
    service: Annotated[
        str | None, typer.Option(help="Service to open the drill on (default: one using it)")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the policy to finish")] = 120.0,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Open a drill incident and follow every page of the policy; fail on a gap or a failed page."""
    incident = call(api, token, "POST", "/v1/drills", json={"policy": policy, "service": service})
    if not as_json:
        typer.echo(
            f"Drill incident #{incident['number']} ({incident['id']}) on {incident['service']}: following…"
        )
    deadline = time.monotonic() + timeout
    while True:
        incident = call(api, token, "GET", f"/v1/incidents/{incident['id']}")
        timeline = call(api, token, "GET", f"/v1/incidents/{incident['id']}/timeline")["timeline"]
        done = incident["status"] != "triggered" or any(e["kind"] in FINAL_KINDS for e in timeline)
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    pages = call(api, token, "GET", f"/v1/incidents/{incident['id']}/notifications")["notifications"]
    report = _report(incident, pages, timeline)
    if incident["status"] != "resolved":
        call(api, token, "POST", f"/v1/incidents/{incident['id']}/resolve")
    if not report["finished"] and incident["status"] == "triggered":
        report["passed"] = False
        report["gaps"].append(f"the policy did not finish within {timeout:g} s")
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        table(report["pages"], ["step", "after", "user", "channel", "to", "status", "error"], title="Pages")
        if report["acknowledged_by"]:
            typer.echo(f"Acknowledged by {report['acknowledged_by']}.")
        else:
            typer.echo("Nobody acknowledged: every step of the policy paged.")
        for problem in report["gaps"] + [
            f"failed: {r['user']} by {r['channel']}: {r['error']}" for r in report["failed"]
        ]:
            typer.secho(f"  - {problem}", fg="red")
        typer.secho(
            "DRILL PASSED" if report["passed"] else "DRILL FAILED", fg="green" if report["passed"] else "red"
        )
    if not report["passed"]:
        raise typer.Exit(1)

"""`klaxon drill`: prove an escalation policy works by walking it for real, marked as a drill.

The drill takes the policy's real length unless `--time-scale` runs its waits faster. Each page is
printed as it goes out, a live line says what is due next, and the verdict names the step that failed.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from typing import Annotated, Any

import typer

from klaxon.cli.common import (
    DEFAULT_API,
    DEFAULT_TOKEN,
    ApiOption,
    JsonOption,
    TimelineFollower,
    TokenOption,
    call,
    table,
)
from klaxon.domain.paging.drill import (
    MAX_TIME_SCALE,
    PageSeen,
    PlannedStep,
    Verdict,
    judge,
    length_seconds,
    plan,
)
from klaxon.domain.paging.policy import EscalationPolicy

FINAL_KINDS = {"escalation finished"}
SLACK_SECONDS = 30.0  # beyond the policy's length: delivery retries, ticks, a slow machine


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _policy(api: str, token: str, policy_id: str) -> tuple[EscalationPolicy, int]:
    """The policy from the running configuration, and the latest notification rule of anyone in it."""
    from klaxon.config.schema import User

    config = call(api, token, "GET", "/v1/config")
    users = [User.model_validate(user) for user in config.get("users", [])]
    rules_minutes = max(
        (rule.delay_minutes for user in users for rule in user.effective_notification_rules()), default=0
    )
    for policy in config.get("escalation_policies", []):
        if policy.get("id") == policy_id:
            return EscalationPolicy.model_validate(policy), rules_minutes
    typer.secho(f"no escalation policy {policy_id!r} in the running configuration", err=True, fg="red")
    raise typer.Exit(1)


def _page_line(n: dict[str, Any], start: datetime, steps: int) -> str:
    after = (_when(n["sent_at"]) - start).total_seconds()
    error = f": {n['error']}" if n.get("error") else ""
    return f"  +{after:6.1f}s  step {n['step'] + 1}/{steps}  {n['user']} by {n['channel']} to {n['to']}  " + (
        f"{n['status']}{error}"
    )


def _progress(planned: list[PlannedStep], paged: set[tuple[int, int]], elapsed: float) -> str:
    upcoming = next((s for s in planned if (s.loop, s.step) not in paged), None)
    if upcoming is None:
        return f"  {elapsed:6.0f}s  every step paged; waiting for the policy to finish"
    due = max(0.0, upcoming.due_seconds - elapsed)
    return f"  {elapsed:6.0f}s  next: step {upcoming.step + 1} ({upcoming.targets}) due in {due:.0f}s"


def _follow(
    api: str, token: str, incident: dict[str, Any], planned: list[PlannedStep], timeout: float, quiet: bool
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], bool]:
    """Poll until the policy finishes, someone acknowledges, or `timeout`; print pages as they go out."""
    start, began = _when(incident["created_at"]), time.monotonic()
    live = not quiet and sys.stdout.isatty()
    steps = len({s.step for s in planned})
    seen, follower, timeline = 0, TimelineFollower(api, token, incident["id"]), []
    while True:
        incident = call(api, token, "GET", f"/v1/incidents/{incident['id']}")
        timeline += follower.new_entries()
        pages = call(api, token, "GET", f"/v1/incidents/{incident['id']}/notifications")["notifications"]
        pages.sort(key=lambda n: n["sent_at"])
        if not quiet:
            for n in pages[seen:]:
                typer.echo(("\r\033[K" if live else "") + _page_line(n, start, steps))
        seen = len(pages)
        finished = any(e["kind"] in FINAL_KINDS for e in timeline)
        elapsed = time.monotonic() - began
        if finished or incident["status"] != "triggered" or elapsed > timeout:
            if live:
                typer.echo("\r\033[K", nl=False)
            return incident, pages, timeline, finished
        if live:
            paged = {(n["loop"], n["step"]) for n in pages}
            typer.echo("\r\033[K" + _progress(planned, paged, elapsed), nl=False)
        time.sleep(0.5)


def _rows(pages: list[dict[str, Any]], start: datetime) -> list[dict[str, Any]]:
    return [
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


def _verdict(
    planned: list[PlannedStep], incident: dict[str, Any], pages: list[dict[str, Any]], timeline: list[Any]
) -> tuple[Verdict, list[str]]:
    gaps = [e["message"] for e in timeline if e["kind"] == "escalation gap"]
    seen = [
        PageSeen(n["loop"], n["step"], n["user"], n["channel"], n["status"], n.get("error")) for n in pages
    ]
    finished = any(e["kind"] in FINAL_KINDS for e in timeline)
    return judge(
        planned, seen, gaps, finished=finished, acknowledged_by=incident.get("acknowledged_by")
    ), gaps


def drill(
    policy: Annotated[str, typer.Option("--policy", help="Escalation policy to walk")],
    service: Annotated[
        str | None, typer.Option(help="Service to open the drill on (default: one using it)")
    ] = None,
    time_scale: Annotated[
        float,
        typer.Option(
            "--time-scale", min=1.0, max=MAX_TIME_SCALE, help="Run the policy's waits this many times faster"
        ),
    ] = 1.0,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds to follow it (default: the policy's length, plus 30 s)")
    ] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Open a drill incident and follow every page of the policy; fail on a gap or a failed page."""
    walked, rules_minutes = _policy(api, token, policy)
    planned = plan(walked, time_scale)
    length = length_seconds(walked, time_scale, rules_minutes)
    limit = timeout if timeout is not None else length + SLACK_SECONDS
    body = {"policy": policy, "service": service, "time_scale": time_scale}
    incident = call(api, token, "POST", "/v1/drills", json=body)
    if not as_json:
        typer.echo(
            f"Drill incident #{incident['number']} ({incident['id']}) on {incident['service']}: "
            f"{len(planned)} step(s) over {length:.0f}s"
            + (f" (time scale {time_scale:g})" if time_scale != 1 else "")
        )
    incident, pages, timeline, _ = _follow(api, token, incident, planned, limit, quiet=as_json)
    verdict, gaps = _verdict(planned, incident, pages, timeline)
    if incident["status"] != "resolved":
        call(api, token, "POST", f"/v1/incidents/{incident['id']}/resolve")
    rows = _rows(pages, _when(incident["created_at"]))
    if as_json:
        report = {
            "incident": incident["id"],
            "number": incident["number"],
            "time_scale": time_scale,
            "pages": rows,
            "gaps": gaps,
            "failed": [r for r in rows if r["status"] == "failed"],
            "acknowledged_by": incident.get("acknowledged_by"),
            "finished": any(e["kind"] in FINAL_KINDS for e in timeline),
            "passed": verdict.passed,
            "problems": verdict.problems,
            "summary": verdict.summary,
        }
        typer.echo(json.dumps(report, indent=2))
    else:
        table(rows, ["step", "after", "user", "channel", "to", "status", "error"], title="Pages")
        for problem in verdict.problems:
            typer.secho(f"  - {problem}", fg="red")
        if verdict.passed:
            typer.secho(f"DRILL PASSED: {verdict.summary}", fg="green")
        else:
            typer.secho(f"DRILL FAILED at {verdict.problems[0]} ({verdict.summary})", fg="red")
    if not verdict.passed:
        raise typer.Exit(1)

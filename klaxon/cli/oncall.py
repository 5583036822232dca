"""`klaxon oncall`: who is on call now, or at a given time, for one schedule or all of them."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, JsonOption, TokenOption, call, table
from klaxon.cli.schedule import TIME_EXAMPLE, local_time, parse_instant


def oncall(
    schedule: Annotated[str | None, typer.Option(help="One schedule (default: every schedule)")] = None,
    at: Annotated[str | None, typer.Option("--at", help=f"When (default now), e.g. {TIME_EXAMPLE}")] = None,
    api: ApiOption = DEFAULT_API,
    token: TokenOption = DEFAULT_TOKEN,
    as_json: JsonOption = False,
) -> None:
    """Who is on call now, or at --at, on one schedule or on every schedule.

    With --json, prints the API's answers (`GET /v1/oncall`) as a list, one per schedule.
    """
    params = {"at": parse_instant(at, "--at").isoformat()} if at else {}
    schedules = call(api, token, "GET", "/v1/schedules")["schedules"]
    if schedule is not None:
        schedules = [s for s in schedules if s["id"] == schedule] or [{"id": schedule, "time_zone": "UTC"}]
    answers = [
        call(api, token, "GET", "/v1/oncall", params={"schedule": s["id"], **params}) for s in schedules
    ]
    if as_json:
        typer.echo(json.dumps(answers, indent=2))
        return
    zones = {s["id"]: s["time_zone"] for s in schedules}
    rows = [_row(answer, zones[answer["schedule"]]) for answer in answers]
    table(rows, ["schedule", "on call", "since", "until"])


def _row(answer: dict[str, Any], tz: str) -> dict[str, Any]:
    if not answer["on_call"]:
        return {"schedule": answer["schedule"], "on call": "(nobody)"}
    (person, *_) = answer["on_call"]
    return {
        "schedule": answer["schedule"],
        "on call": person["user"],
        "since": local_time(person["start"], tz),
        "until": local_time(person["end"], tz),
    }

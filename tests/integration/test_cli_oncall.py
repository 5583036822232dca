"""`klaxon oncall`, `schedule shifts|override`, `report oncall-load`, `config apply` against the platform."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from klaxon.cli import app
from tests.conftest import ROOT
from tests.integration.conftest import TOKEN

MONDAY_NINE = "2026-03-09T09:00-04:00"  # alice takes primary, erin secondary
SPRING_WEEK = ("2026-03-02T09:00-05:00", MONDAY_NINE)


@pytest.fixture
def klaxon(platform):
    """Run the CLI against the running platform, wide enough that tables do not wrap."""
    runner = CliRunner(env={"COLUMNS": "250"})

    def run(*args: str):
        return runner.invoke(app, [*args, "--api", platform.url, "--token", TOKEN])

    return run


def as_json(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def soon() -> tuple[str, str]:
    start = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    return start.isoformat(), (start + timedelta(hours=6)).isoformat()


def add_override(klaxon, user: str, *extra: str):
    start, end = soon()
    return klaxon(
        "schedule", "override", "add", "primary", "--user", user, "--from", start, "--to", end, *extra
    )


def load_report(klaxon, *extra: str):
    start, end = SPRING_WEEK
    return klaxon("report", "oncall-load", "--from", start, "--to", end, "--weekly-rate", "700", *extra)


def test_oncall_for_one_schedule_prints_the_apis_answer(klaxon):
    (answer,) = as_json(klaxon("oncall", "--schedule", "primary", "--at", MONDAY_NINE, "--json"))
    assert (answer["schedule"], [p["user"] for p in answer["on_call"]]) == ("primary", ["alice"])


def test_oncall_without_a_schedule_answers_for_every_schedule(klaxon):
    answers = as_json(klaxon("oncall", "--at", MONDAY_NINE, "--json"))
    assert {a["schedule"]: a["on_call"][0]["user"] for a in answers} == {
        "primary": "alice",
        "secondary": "erin",
    }


def test_oncall_table_shows_the_hand_off_on_the_schedules_clock(klaxon):
    result = klaxon("oncall", "--schedule", "primary", "--at", MONDAY_NINE)
    assert "Mon 2026-03-09 09:00 EDT" in result.stdout


def test_oncall_for_an_unknown_schedule_fails_with_the_apis_message(klaxon):
    result = klaxon("oncall", "--schedule", "nope")
    assert (result.exit_code, "404" in result.stderr) == (1, True)


def test_schedule_shifts_lists_the_final_shifts_in_the_window(klaxon):
    body = as_json(
        klaxon("schedule", "shifts", "primary", "--from", SPRING_WEEK[0], "--to", MONDAY_NINE, "--json")
    )
    assert [s["user"] for s in body["shifts"]] == ["carol"]


def test_schedule_shifts_table_gives_the_spring_forward_week_167_hours(klaxon):
    result = klaxon("schedule", "shifts", "primary", "--from", SPRING_WEEK[0], "--to", MONDAY_NINE)
    assert re.search(
        r"│ carol +│ Mon 2026-03-02 09:00 EST +│ Mon 2026-03-09 09:00 EDT +│ 167 +│", result.stdout
    )


def test_override_add_creates_an_override_that_list_shows(klaxon):
    created = as_json(add_override(klaxon, "dave", "--json"))
    listed = as_json(klaxon("schedule", "override", "list", "primary", "--json"))["overrides"]
    assert [(o["id"], o["user"], o["created_by"]) for o in listed] == [(created["id"], "dave", "token:local")]


def test_an_override_added_from_the_cli_changes_who_is_on_call(klaxon):
    created = as_json(add_override(klaxon, "dave", "--json"))
    (answer,) = as_json(klaxon("oncall", "--schedule", "primary", "--at", created["start"], "--json"))
    assert answer["on_call"][0]["user"] == "dave"


def test_override_remove_takes_it_off_the_list(klaxon):
    created = as_json(add_override(klaxon, "dave", "--json"))
    removed = klaxon("schedule", "override", "remove", "primary", created["id"])
    assert (removed.exit_code, f"removed override {created['id']}" in removed.stdout) == (0, True)
    assert as_json(klaxon("schedule", "override", "list", "primary", "--json"))["overrides"] == []


def test_override_add_for_an_unknown_user_fails_with_the_apis_reason(klaxon):
    result = add_override(klaxon, "mallory")
    assert (result.exit_code, "user: no user 'mallory'" in result.stderr) == (1, True)


def test_report_oncall_load_gives_hours_and_stipend(klaxon):
    body = as_json(load_report(klaxon, "--json"))
    assert {p["user"]: (p["hours_on_call"], p["stipend"]) for p in body["people"]} == {
        "carol": (167.0, "695.83"),
        "dave": (167.0, "695.83"),
    }


def test_report_oncall_load_table_shows_the_stipend_and_the_pages(klaxon):
    result = load_report(klaxon)
    assert ("695.83 USD" in result.stdout, "pages are not yet recorded" in result.stdout) == (True, False)


def test_config_apply_warns_about_guardrail_findings_but_still_applies(klaxon):
    result = klaxon("config", "apply", str(ROOT / "examples" / "bad-schedules.yaml"))
    assert (result.exit_code, "warning: " in result.stderr, "coverage-gap" in result.stderr) == (
        0,
        True,
        True,
    )
    schedules = as_json(klaxon("oncall", "--json"))
    assert {a["schedule"] for a in schedules} == {"fortnight", "daily-pair", "office-hours"}


def test_config_apply_of_the_demo_prints_no_warnings(klaxon):
    result = klaxon("config", "apply", str(ROOT / "examples" / "acme.yaml"))
    assert (result.exit_code, result.stderr) == (0, "")

"""`klaxon schedule lint|diff` on config files, and time options checked before any API call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaxon.cli import app
from klaxon.domain.schedule.findings import Rule
from tests.conftest import DEMO_CONFIG, ROOT

BAD = ROOT / "examples" / "bad-schedules.yaml"
SPRING = "2026-03-02T09:00-05:00"  # a Monday hand-off, the week New York springs forward


def klaxon(*args: str | Path):
    # Wide enough that rich does not wrap a time across two lines of a table cell.
    return CliRunner(env={"COLUMNS": "250"}).invoke(app, [str(a) for a in args])


@pytest.fixture
def reshuffled(tmp_path: Path) -> Path:
    """The demo with frank joining primary after carol and bob swapping places."""
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    changed = text.replace("participants: [alice, bob, carol]", "participants: [alice, carol, bob, frank]")
    assert changed != text
    path = tmp_path / "reshuffled.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


def test_lint_of_the_demo_finds_nothing_and_exits_0():
    result = klaxon("schedule", "lint", DEMO_CONFIG, "--weeks", "52", "--start", "2026-01-01T00:00Z")
    assert (result.exit_code, "no findings" in result.stdout) == (0, True)


def test_lint_of_the_demo_finds_nothing_over_the_next_8_weeks_either():
    assert klaxon("schedule", "lint", DEMO_CONFIG).exit_code == 0


def test_lint_of_the_bad_example_breaks_every_rule_and_exits_1():
    result = klaxon("schedule", "lint", BAD, "--json")
    assert result.exit_code == 1
    assert {finding["rule"] for finding in json.loads(result.stdout)} == {rule.value for rule in Rule}


def test_lint_names_the_person_on_call_too_long_and_for_how_long():
    findings = json.loads(klaxon("schedule", "lint", BAD, "--json", "--start", SPRING, "--weeks", "2").stdout)
    long_on_call = [
        (f["schedule"], f["user"], f["message"]) for f in findings if f["rule"] == Rule.LONG_ON_CALL
    ]
    assert ("fortnight", "ben", "ben is on call for 14.0 days without a break") in long_on_call


def test_lint_prints_one_table_per_rule_broken():
    result = klaxon("schedule", "lint", BAD, "--start", SPRING)
    assert [rule.value in result.stdout for rule in Rule] == [True] * len(Rule)


def test_lint_shows_times_on_the_schedules_own_clock():
    result = klaxon("schedule", "lint", BAD, "--start", SPRING, "--weeks", "2")
    assert "Fri 2026-03-06 17:00 EST" in result.stdout


def test_lint_of_an_invalid_file_prints_its_errors_and_exits_2(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("users: []\n", encoding="utf-8")
    result = klaxon("schedule", "lint", broken)
    assert (result.exit_code, "broken.yaml:1: users: needs at least 1 item" in result.stderr) == (2, True)


def test_lint_refuses_a_start_without_an_offset():
    result = klaxon("schedule", "lint", DEMO_CONFIG, "--start", "2026-03-02T09:00")
    assert (result.exit_code, "needs a UTC offset" in result.stderr) == (2, True)


def test_diff_of_the_demo_with_itself_changes_nothing():
    result = klaxon("schedule", "diff", DEMO_CONFIG, DEMO_CONFIG, "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_diff_shows_who_gains_and_who_loses_hours(reshuffled: Path):
    result = klaxon("schedule", "diff", DEMO_CONFIG, reshuffled, "--start", SPRING, "--weeks", "4", "--json")
    (primary,) = json.loads(result.stdout)
    hours = {u["user"]: (u["hours_gained"], u["hours_lost"]) for u in primary["users"]}
    # Old: carol, alice, bob, carol from 03-02; new: alice, carol, bob, frank. 03-02's week is 167 hours.
    assert (primary["schedule"], hours) == (
        "primary",
        {"alice": (167.0, 168.0), "carol": (168.0, 335.0), "frank": (168.0, 0.0)},
    )


def test_diff_lists_the_shifts_gained_on_the_schedules_clock(reshuffled: Path):
    result = klaxon("schedule", "diff", DEMO_CONFIG, reshuffled, "--start", SPRING, "--weeks", "4")
    assert "Mon 2026-03-23 09:00 EDT" in result.stdout


def test_diff_limited_to_an_unchanged_schedule_shows_no_changes(reshuffled: Path):
    result = klaxon("schedule", "diff", DEMO_CONFIG, reshuffled, "--schedule", "secondary", "--json")
    assert json.loads(result.stdout) == []


def test_diff_of_a_schedule_in_neither_config_is_a_usage_error(reshuffled: Path):
    assert klaxon("schedule", "diff", DEMO_CONFIG, reshuffled, "--schedule", "nope").exit_code == 2


def test_oncall_refuses_a_time_without_an_offset_before_calling_the_api():
    result = klaxon("oncall", "--at", "2026-03-09T09:00", "--api", "http://127.0.0.1:9")
    assert (result.exit_code, "needs a UTC offset" in result.stderr) == (2, True)


def test_override_add_refuses_a_time_that_is_not_a_time():
    result = klaxon(
        "schedule", "override", "add", "primary", "--user", "dave", "--from", "soon", "--to", "now"
    )
    assert (result.exit_code, "is not a time" in result.stderr) == (2, True)


def test_report_refuses_a_negative_weekly_rate():
    args = ("report", "oncall-load", "--from", SPRING, "--to", "now", "--weekly-rate", "-5")
    assert klaxon(*args).exit_code == 2

"""`/klaxon` text parsed: every command, and a usage message for everything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.chat.commands import USAGE, Command, UsageError, parse


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", Command("help")),
        ("help", Command("help")),
        ("ack", Command("ack")),
        ("ACK #42", Command("ack", 42)),
        ("resolve", Command("resolve")),
        ("resolve #7 rolled back the deploy", Command("resolve", 7, text="rolled back the deploy")),
        ("note the pool is at 100%", Command("note", text="the pool is at 100%")),
        ("note #3 42 connections", Command("note", 3, text="42 connections")),
        ("status identified", Command("status", status="identified")),
        ("status #9 Monitoring  fix is out", Command("status", 9, status="monitoring", text="fix is out")),
        ("runbook #12", Command("runbook", 12)),
        ("timeline", Command("timeline")),
    ],
)
def test_commands(text, command):
    assert parse(text) == command


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("stauts identified", "`stauts` is not a /klaxon command."),
        ("status", "`/klaxon status` takes one of identified, monitoring, resolved, not `nothing`."),
        ("status fixed it", "`/klaxon status` takes one of identified, monitoring, resolved, not `fixed`."),
        ("note", "`/klaxon note` needs the text of the note."),
        ("note #4", "`/klaxon note` needs the text of the note."),
        ("ack now please", "`/klaxon ack` takes no text (did you mean `/klaxon note`?)."),
        ("sev P2", "`/klaxon sev` is not available yet."),
        ("note " + "x" * 3001, "the text is over 3000 characters."),
    ],
)
def test_anything_else_is_a_usage_error_with_the_usage(text, problem):
    with pytest.raises(UsageError) as raised:
        parse(text)
    assert raised.value.problem == problem
    assert raised.value.message == f"{problem}\n\n{USAGE}"


@given(st.text(max_size=200))
def test_any_text_is_a_command_or_a_usage_error(text):
    try:
        command = parse(text)
    except UsageError as error:
        assert error.message.endswith(USAGE)
    else:
        assert command.name in {"help", "ack", "resolve", "status", "note", "runbook", "timeline"}

"""`/klaxon` text parsed: every command, and a usage message for everything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.chat.commands import USAGE, Command, UsageError, parse
from klaxon.domain.incident.models import Priority


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
        ("changes #4", Command("changes", 4)),
        ("sev p2", Command("sev", priority=Priority.P2)),
        ("sev #5 P1", Command("sev", 5, priority=Priority.P1)),
        ("role commander <@U123|carol>", Command("role", role="commander", user="U123")),
        ("role #8 Scribe <@W0AB>", Command("role", 8, role="scribe", user="W0AB")),
        ("page <@U777|dave>", Command("page", user="U777")),
        ("page #3 payments-oncall", Command("page", 3, policy="payments-oncall")),
        ("declare Checkout is down", Command("declare", text="Checkout is down")),
        (
            "declare DB &amp; cache slow --sev p1 --service payments",
            Command("declare", text="DB & cache slow", priority=Priority.P1, service="payments"),
        ),
        ("note a &lt;b&gt; c", Command("note", text="a <b> c")),
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
        ("sev P5", "`/klaxon sev` takes P1, P2, P3 or P4, not `P5`."),
        ("sev", "`/klaxon sev` takes one priority: P1, P2, P3 or P4."),
        ("role boss <@U1>", "`/klaxon role` takes a role (commander, comms, scribe) and a person (`@name`)."),
        (
            "role commander carol",
            "`/klaxon role` takes a role (commander, comms, scribe) and a person (`@name`).",
        ),
        ("page", "`/klaxon page` takes a person (`@name`) or an escalation policy's id."),
        ("page Some-One!", "`Some-One!` is neither a person (`@name`) nor an escalation policy's id."),
        ("declare", "`/klaxon declare` needs a title of at most 255 characters."),
        ("declare down --sev", "`--sev` needs a value."),
        ("declare down --sev P9", "`--sev` takes P1, P2, P3 or P4, not `P9`."),
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
        assert command.name in {
            "help",
            "declare",
            "ack",
            "resolve",
            "sev",
            "role",
            "page",
            "status",
            "note",
            "runbook",
            "timeline",
        }

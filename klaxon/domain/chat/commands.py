"""The `/klaxon` command: its text parsed into one command, or a usage message (nothing changes on a typo).

`/klaxon <subcommand> [#<incident number>] [arguments]`: in an incident's room the number may be left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

STATUSES = ("identified", "monitoring", "resolved")
MAX_TEXT = 3000  # a note, a summary or a status update's text

USAGE = """*`/klaxon` commands* (in an incident's channel the `#number` may be left out):
• `/klaxon ack [#42]`: acknowledge the incident (stops its escalation)
• `/klaxon resolve [#42] [summary]`: resolve it
• `/klaxon status [#42] identified|monitoring|resolved [message]`: post a status page update \
(you confirm it first)
• `/klaxon note [#42] <text>`: add a note to its timeline
• `/klaxon runbook [#42]`: show its runbook
• `/klaxon timeline [#42]`: show its latest timeline entries
• `/klaxon help`: this list"""

# Named in the issue and in Slack's muscle memory, not built yet: said so instead of "unknown".
NOT_BUILT = {"declare", "sev", "role", "page"}

_NUMBER = re.compile(r"^#?(\d{1,9})$")


class UsageError(ValueError):
    """What was wrong, with the usage: shown only to the person who typed it."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem

    @property
    def message(self) -> str:
        return f"{self.problem}\n\n{USAGE}"


@dataclass(frozen=True)
class Command:
    name: Literal["help", "ack", "resolve", "status", "note", "runbook", "timeline"]
    number: int | None = None  # the incident named with `#42`; None: the room's incident
    status: str | None = None
    text: str | None = None


def parse(text: str) -> Command:
    """The command `text` (what follows `/klaxon`) asks for; UsageError when it is not one."""
    words = text.strip().split(None, 1)
    if not words or words[0].lower() in {"help", "-h", "--help"}:
        return Command("help")
    name, rest = words[0].lower(), words[1] if len(words) > 1 else ""
    if name in NOT_BUILT:
        raise UsageError(f"`/klaxon {name}` is not available yet.")
    if name not in {"ack", "resolve", "status", "note", "runbook", "timeline"}:
        raise UsageError(f"`{words[0]}` is not a /klaxon command.")
    number, rest = _number(rest)
    rest = rest.strip()
    if len(rest) > MAX_TEXT:
        raise UsageError(f"the text is over {MAX_TEXT} characters.")
    if name in {"ack", "runbook", "timeline"}:
        if rest:
            raise UsageError(f"`/klaxon {name}` takes no text (did you mean `/klaxon note`?).")
        return Command(name, number)  # type: ignore[arg-type]
    if name == "resolve":
        return Command("resolve", number, text=rest or None)
    if name == "note":
        if not rest:
            raise UsageError("`/klaxon note` needs the text of the note.")
        return Command("note", number, text=rest)
    status, _, message = rest.partition(" ")
    if status.lower() not in STATUSES:
        raise UsageError(f"`/klaxon status` takes one of {', '.join(STATUSES)}, not `{status or 'nothing'}`.")
    return Command("status", number, status=status.lower(), text=message.strip() or None)


def _number(rest: str) -> tuple[int | None, str]:
    first, _, after = rest.strip().partition(" ")
    found = _NUMBER.match(first)
    if found and first.startswith("#"):
        return int(found.group(1)), after
    return None, rest

"""The `/klaxon` command: its text parsed into one command, or a usage message (nothing changes on a typo).

`/klaxon <subcommand> [#<incident number>] [arguments]`: in an incident's room the number may be left out.
Slack sends the text escaped (the app's command has `should_escape`): a mention is `<@U123|name>`, and
`&`, `<`, `>` arrive as entities, turned back here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from typing import Literal

from klaxon.domain.incident.models import ROLES, Priority

STATUSES = ("identified", "monitoring", "resolved")
MAX_TEXT = 3000  # a note, a summary or a status update's text
MAX_TITLE = 255


@dataclass(frozen=True)
class PendingUpdate:
    """A status page update waiting for its author's confirmation (carried by the confirm button)."""

    incident_id: str
    status: str
    text: str | None


@dataclass(frozen=True)
class Reply:
    """What a command answers in the chat."""

    text: str
    public: bool = False  # shown to the channel; else only to the person who typed the command
    confirm: PendingUpdate | None = None


USAGE = """*`/klaxon` commands* (in an incident's channel the `#number` may be left out):
• `/klaxon declare <title> [--sev P1] [--service checkout]`: open an incident
• `/klaxon ack [#42]`: acknowledge the incident (stops its escalation)
• `/klaxon resolve [#42] [summary]`: resolve it
• `/klaxon escalate [#42]`: page its next escalation step now
• `/klaxon sev [#42] P1|P2|P3|P4`: change its priority
• `/klaxon role [#42] commander|comms|scribe @person`: give someone a role
• `/klaxon page [#42] @person|<escalation policy>`: hand its paging to someone (while triggered)
• `/klaxon status [#42] identified|monitoring|resolved [message]`: post a status page update \
(you confirm it first)
• `/klaxon note [#42] <text>`: add a note to its timeline
• `/klaxon runbook [#42]`: show its runbook
• `/klaxon timeline [#42]`: show its latest timeline entries
• `/klaxon changes [#42]`: show the latest change events (deploys) of its service
• `/klaxon help`: this list"""

Name = Literal[
    "help",
    "declare",
    "ack",
    "resolve",
    "escalate",
    "sev",
    "role",
    "page",
    "status",
    "note",
    "runbook",
    "timeline",
    "changes",
]
_NUMBER = re.compile(r"^#(\d{1,9})$")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_POLICY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


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
    name: Name
    number: int | None = None  # the incident named with `#42`; None: the room's incident
    status: str | None = None
    text: str | None = None  # a note, a resolution summary, a status update, a declared title
    priority: Priority | None = None  # sev; declare --sev
    role: str | None = None
    user: str | None = None  # a chat user mentioned (`<@U123>`)
    policy: str | None = None  # page <policy>
    service: str | None = None  # declare --service


def parse(text: str) -> Command:
    """The command `text` (what follows `/klaxon`) asks for; UsageError when it is not one."""
    words = text.strip().split(None, 1)
    if not words or words[0].lower() in {"help", "-h", "--help"}:
        return Command("help")
    name, rest = words[0].lower(), words[1] if len(words) > 1 else ""
    if name not in _PARSERS:
        raise UsageError(f"`{words[0]}` is not a /klaxon command.")
    if len(rest) > MAX_TEXT:
        raise UsageError(f"the text is over {MAX_TEXT} characters.")
    if name == "declare":
        return _declare(rest)
    number, rest = _number(rest)
    return _PARSERS[name](number, rest.strip())


def _number(rest: str) -> tuple[int | None, str]:
    first, _, after = rest.strip().partition(" ")
    found = _NUMBER.match(first)
    return (int(found.group(1)), after) if found else (None, rest)


def _bare(name: Name) -> Callable[[int | None, str], Command]:
    def parse_bare(number: int | None, rest: str) -> Command:
        if rest:
            raise UsageError(f"`/klaxon {name}` takes no text (did you mean `/klaxon note`?).")
        return Command(name, number)

    return parse_bare


def _resolve(number: int | None, rest: str) -> Command:
    return Command("resolve", number, text=unescape(rest) or None)


def _note(number: int | None, rest: str) -> Command:
    if not rest:
        raise UsageError("`/klaxon note` needs the text of the note.")
    return Command("note", number, text=unescape(rest))


def _status(number: int | None, rest: str) -> Command:
    status, _, message = rest.partition(" ")
    if status.lower() not in STATUSES:
        raise UsageError(f"`/klaxon status` takes one of {', '.join(STATUSES)}, not `{status or 'nothing'}`.")
    return Command("status", number, status=status.lower(), text=unescape(message.strip()) or None)


def _priority(word: str, command: str) -> Priority:
    try:
        return Priority(word.upper())
    except ValueError:
        raise UsageError(f"`{command}` takes P1, P2, P3 or P4, not `{word or 'nothing'}`.") from None


def _sev(number: int | None, rest: str) -> Command:
    if len(rest.split()) != 1:
        raise UsageError("`/klaxon sev` takes one priority: P1, P2, P3 or P4.")
    return Command("sev", number, priority=_priority(rest, "/klaxon sev"))


def _mention(word: str) -> str | None:
    found = _MENTION.match(word)
    return found.group(1) if found else None


def _role(number: int | None, rest: str) -> Command:
    words = rest.split()
    if len(words) != 2 or words[0].lower() not in ROLES or _mention(words[1]) is None:
        raise UsageError(f"`/klaxon role` takes a role ({', '.join(ROLES)}) and a person (`@name`).")
    return Command("role", number, role=words[0].lower(), user=_mention(words[1]))


def _page(number: int | None, rest: str) -> Command:
    words = rest.split()
    if len(words) != 1:
        raise UsageError("`/klaxon page` takes a person (`@name`) or an escalation policy's id.")
    user = _mention(words[0])
    if user is not None:
        return Command("page", number, user=user)
    if not _POLICY.match(words[0]):
        raise UsageError(f"`{words[0]}` is neither a person (`@name`) nor an escalation policy's id.")
    return Command("page", number, policy=words[0])


def _declare(rest: str) -> Command:
    """`declare <title> [--sev P1] [--service x]`: the options anywhere after the title's first word."""
    words, title, options = rest.split(), [], {"--sev": "", "--service": ""}
    while words:
        word = words.pop(0)
        if word in options:
            if not words:
                raise UsageError(f"`{word}` needs a value.")
            options[word] = words.pop(0)
        else:
            title.append(word)
    name = unescape(" ".join(title))
    if not name or len(name) > MAX_TITLE:
        raise UsageError(f"`/klaxon declare` needs a title of at most {MAX_TITLE} characters.")
    priority = _priority(options["--sev"], "--sev") if options["--sev"] else None
    return Command("declare", text=name, priority=priority, service=options["--service"] or None)


_PARSERS: dict[str, Callable[[int | None, str], Command]] = {
    "declare": lambda number, rest: _declare(rest),
    "ack": _bare("ack"),
    "escalate": _bare("escalate"),
    "runbook": _bare("runbook"),
    "timeline": _bare("timeline"),
    "changes": _bare("changes"),
    "resolve": _resolve,
    "note": _note,
    "status": _status,
    "sev": _sev,
    "role": _role,
    "page": _page,
}

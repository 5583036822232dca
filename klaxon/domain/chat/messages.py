"""What Klaxon says in chat, apart from any chat product: adapters render it (Slack: Block Kit)."""

from __future__ import annotations

from dataclasses import dataclass, field


def literal(text: str) -> str:
    """`text` as written in chat markup (Slack's mrkdwn reads &, < and > as markup: a `<!channel>` or a
    `<url|label>` in someone's text would otherwise act)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Fact:
    """One labelled line of a summary ("Status", "acknowledged by Alice")."""

    label: str
    value: str


@dataclass(frozen=True)
class ChatLink:
    text: str
    url: str


@dataclass(frozen=True)
class ChatAction:
    """A button: `name` says what it does (`acknowledge`, `resolve`), `value` what it does it to."""

    name: str
    label: str
    value: str


@dataclass(frozen=True)
class ChatMessage:
    """A message: `text` is what notifications and plain clients show (it includes the heading, if any);
    the rest is its richer layout."""

    text: str
    heading: str | None = None
    facts: tuple[Fact, ...] = ()
    links: tuple[ChatLink, ...] = ()
    note: str | None = None  # a small line under the rest (who changed it last, when)
    actions: tuple[ChatAction, ...] = ()

    def plain(self) -> str:
        """The whole message as plain text, line by line (the console, the local chat view): `text`
        stands for the heading, which it includes."""
        lines = [self.text]
        lines += [f"{f.label}: {f.value}" for f in self.facts]
        lines += [f"{link.text}: {link.url}" for link in self.links]
        lines += [self.note] if self.note else []
        return "\n".join(lines)


@dataclass(frozen=True)
class MessageRef:
    """A posted message: its room and its id there (Slack: the channel id and the message `ts`)."""

    room: str
    id: str


@dataclass(frozen=True)
class HistoryPage:
    """One page of a room's messages, oldest first, and the cursor of the next (None: the last page)."""

    messages: tuple[PostedMessage, ...] = ()
    next: str | None = None


@dataclass(frozen=True)
class PostedMessage:
    id: str  # Slack: the message ts
    author: str | None
    text: str
    at_epoch: float
    extra: dict[str, str] = field(default_factory=dict)

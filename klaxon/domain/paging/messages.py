"""How a page reads on each channel: pure wording with the incident number and how to acknowledge it."""

from __future__ import annotations

import html
import re
import unicodedata

from pydantic import ConfigDict

from klaxon.domain.chat.messages import ChatAction, ChatLink, ChatMessage, Fact
from klaxon.domain.model import Model
from klaxon.domain.paging.pages import Page

SMS_SEGMENT = 160  # GSM-7 characters in one SMS segment (UCS-2 would allow only 70)
ELLIPSIS = "..."  # "…" is not in GSM-7: one such character would switch the whole SMS to UCS-2
SPOKEN_TITLE_MAX = 300
PUSH_BODY_MAX = 178  # what iOS shows of a notification before truncating it
SUBJECT_MAX = 150

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # sent as escape + character: two septets each
_TYPOGRAPHY = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b", "'")  # curly single quotes
    | dict.fromkeys("\u201c\u201d\u201e", '"')  # curly double quotes
    | dict.fromkeys("\u2013\u2014\u2212", "-")  # en and em dashes, minus sign
    | {"\u00a0": " ", "\t": " ", "\u2022": "*", "\u2026": ELLIPSIS}
)
_SPACES = re.compile(r"\s+")


class EmailContent(Model):
    model_config = ConfigDict(frozen=True)

    subject: str
    text: str
    html: str


class PushContent(Model):
    model_config = ConfigDict(frozen=True)

    title: str
    body: str


def gsm7_septets(text: str) -> int | None:
    """Length of `text` in GSM-7 septets, or None when it needs UCS-2 (a 70-character segment)."""
    length = 0
    for char in text:
        if char in _GSM7_BASIC:
            length += 1
        elif char in _GSM7_EXTENDED:
            length += 2
        else:
            return None
    return length


def to_gsm7(text: str) -> str:
    """`text` in GSM-7 only: typography and accents simplified, anything else becomes '?'."""
    out = []
    for char in text.translate(_TYPOGRAPHY):
        if char in _GSM7_BASIC or char in _GSM7_EXTENDED:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and gsm7_septets(base) is not None else "?")
    return "".join(out)


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ELLIPSIS), 0)].rstrip() + ELLIPSIS


def _headline(page: Page) -> str:
    return f"#{page.incident_number} {page.priority.value} {page.service}"


def _drill(page: Page) -> str:
    return "[DRILL] " if page.drill else ""


def sms_text(page: Page) -> str:
    """One GSM-7 segment where the title allows: drill mark, number, priority, service, title, ack code."""
    head = to_gsm7(f"{_drill(page)}Klaxon {_headline(page)}: ")
    tail = f"\nReply ACK {page.incident_number} or RES {page.incident_number}"
    room = SMS_SEGMENT - (gsm7_septets(head) or 0) - len(tail)
    # A long service name may leave almost no room: the title then keeps a readable stub, over 160.
    return head + _fit_septets(to_gsm7(_one_line(page.title)), max(room, 20)) + tail


def _fit_septets(text: str, budget: int) -> str:
    """`text`, cut with an ellipsis to at most `budget` septets (extended characters count twice)."""
    if (gsm7_septets(text) or 0) <= budget:
        return text
    cut = text[:budget]
    while cut and (gsm7_septets(cut.rstrip() + ELLIPSIS) or 0) > budget:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def _spoken(text: str) -> str:
    printable = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return html.escape(
        _truncate(_one_line(printable), SPOKEN_TITLE_MAX), quote=False
    )  # &, <, > as XML text needs


def voice_ssml(page: Page) -> str:
    """SSML for a call: the incident, read twice (people answer mid-sentence), then how to acknowledge."""
    number = page.incident_number
    priority = page.priority.value.removeprefix("P")
    service = _spoken(page.service.replace("-", " ").replace("_", " "))
    about = f"Incident {number}, priority {priority}, on {service}: {_spoken(page.title)}."
    how = (
        f'To acknowledge, reply <say-as interpret-as="characters">ACK</say-as> {number} '
        "to the text message, or use the link in the email or the Klaxon app."
    )
    drill = "<p>This is a drill.</p>" if page.drill else ""
    return (
        f'<speak><p>This is Klaxon.</p>{drill}<p>{about}</p><break time="700ms"/><p>{how}</p>'
        f'<break time="1s"/><p>Again: {about}</p><p>{how}</p></speak>'
    )


def _safe_link(url: str | None) -> str | None:
    return url if url is not None and url.startswith(("https://", "http://")) else None


def email_message(page: Page) -> EmailContent:
    """Subject, plain text and HTML of a page by email; the HTML has a one-click acknowledge link."""
    number = page.incident_number
    title = _one_line(page.title)
    subject = _truncate(f"{_drill(page)}[Klaxon] {_headline(page)}: {title}", SUBJECT_MAX)
    link = _safe_link(page.ack_url)
    runbook = _safe_link(page.runbook_url)
    reply = f"Or reply ACK {number} to the text message, or acknowledge in the Klaxon app."
    lines = [
        *(["DRILL: this incident is a fire drill."] if page.drill else []),
        f"Incident #{number} ({page.priority.value}) on {page.service}",
        title,
        "",
        *([f"Acknowledge: {link}"] if link else []),
        *([f"Runbook: {runbook}"] if runbook else []),
        reply,
        "",
        f"You are paged as {page.user_name} (escalation step {page.step + 1}).",
    ]
    e = html.escape
    button = (
        f'<p><a href="{e(link)}" style="display:inline-block;padding:12px 20px;background:#b00020;'
        f'color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold">'
        f"Acknowledge incident #{number}</a></p>"
        if link
        else ""
    )
    drill = '<p style="font-weight:bold;color:#8a4b00">DRILL: this incident is a fire drill.</p>'
    runbook_line = f'<p>Runbook: <a href="{e(runbook)}">{e(runbook)}</a></p>' if runbook else ""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(subject)}</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.4">'
        f"{drill if page.drill else ''}"
        f'<h1 style="font-size:20px">Incident #{number} &middot; {e(page.priority.value)} &middot; '
        f"{e(page.service)}</h1><p>{e(title)}</p>{button}{runbook_line}<p>{e(reply)}</p>"
        f'<p style="color:#555555;font-size:13px">You are paged as {e(page.user_name)} '
        f"(escalation step {page.step + 1}).</p></body></html>"
    )
    return EmailContent(subject=subject, text="\n".join(lines), html=body)


def push_message(page: Page) -> PushContent:
    """A notification: the headline as its title, the title as its body."""
    return PushContent(
        title=f"{_drill(page)}{_headline(page)}", body=_truncate(_one_line(page.title), PUSH_BODY_MAX)
    )


def chat_page(page: Page) -> ChatMessage:
    """A page as a chat direct message: what it is, the runbook, and buttons that act on it."""
    number = str(page.incident_number)
    runbook = _safe_link(page.runbook_url)
    return ChatMessage(
        text=f"{_drill(page)}Klaxon {_headline(page)}: {_one_line(page.title)}",
        heading=_truncate(f"{_drill(page)}Paged: #{number} {_one_line(page.title)}", 150),
        facts=(
            Fact("Priority", page.priority.value),
            Fact("Service", page.service),
            Fact("Escalation step", str(page.step + 1)),
        ),
        links=(ChatLink("Runbook", runbook),) if runbook else (),
        note="DRILL: this incident is a fire drill." if page.drill else None,
        actions=(
            ChatAction("acknowledge", "Acknowledge", number),
            ChatAction("resolve", "Resolve", number),
            ChatAction("escalate", "Escalate", number),
        ),
    )

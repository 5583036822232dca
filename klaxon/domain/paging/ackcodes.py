"""Acknowledging from outside the API: SMS replies ("ack 12") and signed, expiring acknowledge links."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import ConfigDict

from klaxon.domain.errors import DomainError
from klaxon.domain.model import Model
from klaxon.domain.paging.pages import Notification

# Domain separation: the same secret signs calendar feeds, and a feed token must never read as an ack link.
_PURPOSE = b"klaxon-ack-link\x00"
_MAC_BYTES = 16
_VERBS = {"ack": "acknowledge", "acknowledge": "acknowledge", "res": "resolve", "resolve": "resolve"}
# "ack 12", "ACK #12", "resolve 12 fixed it": a verb, then the number, then anything.
# A bare "12" (the code in the page) acknowledges, but only alone: "12 is not mine" is not an ack.
_WITH_VERB = re.compile(r"^\s*(ack|acknowledge|res|resolve)\s*[#:]?\s*(\d{1,9})\b", re.IGNORECASE)
_BARE_CODE = re.compile(r"^\s*#?(\d{1,9})\s*[.!]?\s*$")
# "ack" or "resolve" alone: the last page sent to the replying phone.
_BARE_VERB = re.compile(r"^\s*(ack|acknowledge|res|resolve)\s*[.!]?\s*$", re.IGNORECASE)


class ReplyAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class SmsCommand(Model):
    """What an SMS reply asks for: acknowledge or resolve the incident with this number (None: the
    incident of the last page sent to the phone that replied)."""

    model_config = ConfigDict(frozen=True)

    action: ReplyAction
    number: int | None = None


def parse_reply(text: str) -> SmsCommand | None:
    """ "ack N" / "res N" (any case, full words too), or the bare code N (acknowledge); else None."""
    verb = _WITH_VERB.match(text)
    if verb is not None:
        return SmsCommand(action=ReplyAction(_VERBS[verb.group(1).lower()]), number=int(verb.group(2)))
    bare = _BARE_CODE.match(text)
    if bare is not None:
        return SmsCommand(action=ReplyAction.ACKNOWLEDGE, number=int(bare.group(1)))
    alone = _BARE_VERB.match(text)
    if alone is not None:
        return SmsCommand(action=ReplyAction(_VERBS[alone.group(1).lower()]))
    return None


def may_act(user: str, phone: str, pages: Iterable[Notification], responders: frozenset[str]) -> bool:
    """Only a phone paged for an incident, or a person its policy names, acknowledges or resolves it."""
    return any(p.user == user or p.to == phone for p in pages) or user in responders


def not_paged_reply(number: int | None) -> str:
    """What a phone that may not act on an incident is told (nothing changes)."""
    which = f"incident {number}" if number is not None else "any open incident"
    return f"Klaxon: this number was not paged for {which}, so nothing changed."


class AckLinkInvalid(DomainError):
    """The link was not signed by this deployment, or was altered."""


class AckLinkExpired(AckLinkInvalid):
    """The link was genuine, but its time is up; `link` says what it was for."""

    def __init__(self, message: str, link: AckLink) -> None:
        super().__init__(message)
        self.link = link


class AckLink(Model):
    """What a signed acknowledge link stands for: this user may acknowledge this incident until then."""

    model_config = ConfigDict(frozen=True)

    incident_id: str
    user: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, _PURPOSE + body, hashlib.sha256).digest()[:_MAC_BYTES]


def make_ack_token(secret: bytes, link: AckLink) -> str:
    """A URL-safe token for `link`: base64url(incident|user|expiry) '.' base64url(HMAC-SHA256, 128 bits)."""
    if "|" in link.incident_id or "|" in link.user:
        raise ValueError("incident ids and user ids in ack links cannot contain '|'")
    body = f"{link.incident_id}|{link.user}|{int(link.expires_at.timestamp())}".encode()
    return f"{_b64(body)}.{_b64(_mac(secret, body))}"


def read_ack_token(secret: bytes, token: str, now: datetime) -> AckLink:
    """The link a token was signed for; AckLinkInvalid if forged or altered, AckLinkExpired if too late."""
    head, dot, mac = token.partition(".")
    try:
        body, given = _unb64(head), _unb64(mac)
        incident_id, user, expiry = body.decode().split("|")
        link = AckLink(
            incident_id=incident_id, user=user, expires_at=datetime.fromtimestamp(int(expiry), UTC)
        )
    except (ValueError, UnicodeDecodeError, OverflowError, OSError):
        raise AckLinkInvalid("this acknowledge link is not valid") from None
    if not dot or not hmac.compare_digest(_mac(secret, body), given):
        raise AckLinkInvalid("this acknowledge link is not valid")
    if now >= link.expires_at:
        raise AckLinkExpired("this acknowledge link has expired", link)
    return link

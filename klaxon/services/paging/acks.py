"""Acknowledging from anywhere: SMS replies from a known phone, and signed, expiring acknowledge links."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from klaxon.domain.access.rotation import verified
from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.incident import lifecycle
from klaxon.domain.incident.models import Incident, IncidentStatus
from klaxon.domain.paging.ackcodes import (
    AckLink,
    AckLinkExpired,
    AckLinkInvalid,
    ReplyAction,
    SmsCommand,
    make_ack_token,
    may_act,
    not_paged_reply,
    parse_reply,
    read_ack_token,
)
from klaxon.domain.paging.pages import DeliveryStatus, Notification
from klaxon.domain.paging.policy import Channel
from klaxon.ports import Clock, IncidentQuery, Keyring

if TYPE_CHECKING:
    from klaxon.config.schema import User
    from klaxon.services.incident.incidents import IncidentService

ACK_LINK_TTL = timedelta(hours=24)  # long enough for a slow night, short enough that old emails go stale
SCAN_PAGE = 100
_PHONE_CHANNELS = (Channel.SMS, Channel.VOICE)
_TARGET = {ReplyAction.ACKNOWLEDGE: IncidentStatus.ACKNOWLEDGED, ReplyAction.RESOLVE: IncidentStatus.RESOLVED}


class SmsResult(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    UNCHANGED = "unchanged"  # it already was
    NOT_OPEN = "not open"  # no open incident has that number
    IGNORED = "ignored"  # not a command
    REFUSED = "refused"  # the sender is nobody's phone
    NOT_PAGED = "not paged"  # a user's phone, but not paged for the incident, nor on its policy


@dataclass(frozen=True)
class SmsOutcome:
    result: SmsResult
    user: str | None = None
    command: SmsCommand | None = None
    incident: Incident | None = None
    reply: str | None = None  # what to text back (to a user's phone only: strangers get nothing)


@dataclass(frozen=True)
class LinkOutcome:
    link: AckLink
    incident: Incident
    changed: bool  # False: it was already acknowledged (by anyone) or resolved


def phone_book(users: Iterable[User]) -> dict[str, str]:
    """Each SMS or voice number to the one user it reaches; a number two users share identifies nobody."""
    owners = {(m.address, u.id) for u in users for m in u.contact_methods if m.type in _PHONE_CHANNELS}
    shared = Counter(number for number, _ in owners)
    return {number: user for number, user in owners if shared[number] == 1}


@dataclass
class AckService:
    incidents: IncidentService
    phones: Callable[[], Mapping[str, str]]  # E.164 number -> user id, from the applied configuration
    keys: Keyring  # the deployment's link-signing secret (shared with calendar feeds and subscriber links)
    clock: Clock
    pages: Callable[[str], list[Notification]]  # the pages sent for an incident
    responders: Callable[[Incident], frozenset[str]]  # the users its escalation policy names
    public_url: str | None = None  # the API's base URL, for absolute links in emails
    link_ttl: timedelta = ACK_LINK_TTL

    def _open_incidents(self) -> Iterator[Incident]:
        """Every open incident: a walk over the status index, fine for open incidents."""
        for status in lifecycle.OPEN:
            cursor = None
            while True:
                page = self.incidents.find(IncidentQuery(status=status, limit=SCAN_PAGE, cursor=cursor))
                yield from page.incidents
                if page.next is None:
                    break
                cursor = page.next

    def find_open(self, number: int) -> Incident | None:
        """The open incident numbered `number`."""
        return next((i for i in self._open_incidents() if i.number == number), None)

    def last_paged(self, phone: str) -> Incident | None:
        """The open incident whose page most recently reached `phone`."""
        latest: tuple[datetime, Incident] | None = None
        for incident in self._open_incidents():
            for page in self.pages(incident.id):
                sent = page.to == phone and page.status is DeliveryStatus.SENT
                if sent and (latest is None or page.sent_at > latest[0]):
                    latest = (page.sent_at, incident)
        return None if latest is None else latest[1]

    def may_act(self, user: str, phone: str, incident: Incident) -> bool:
        return may_act(user, phone, self.pages(incident.id), self.responders(incident))

    def handle_sms(self, sender: str, text: str) -> SmsOutcome:
        """A reply from a user's phone: "ack N", "res N", the code N, or "ack"/"res" alone for the last
        page it got. Unknown senders change nothing; a user's phone acts only on incidents it may."""
        phone = sender.strip()
        user = self.phones().get(phone)
        if user is None:
            return SmsOutcome(SmsResult.REFUSED)
        command = parse_reply(text)
        if command is None:
            return SmsOutcome(SmsResult.IGNORED, user=user)
        if command.number is None:
            incident = self.last_paged(phone)
            if incident is None:
                return SmsOutcome(
                    SmsResult.NOT_PAGED, user=user, command=command, reply=not_paged_reply(None)
                )
        else:
            incident = self.find_open(command.number)
            if incident is None:
                return SmsOutcome(SmsResult.NOT_OPEN, user=user, command=command)
            if not self.may_act(user, phone, incident):
                reply = not_paged_reply(command.number)
                return SmsOutcome(
                    SmsResult.NOT_PAGED, user=user, command=command, incident=incident, reply=reply
                )
        target = _TARGET[command.action]
        move = self.incidents.acknowledge if target is IncidentStatus.ACKNOWLEDGED else self.incidents.resolve
        try:
            after = move(incident.id, f"user:{user}")
        except Conflict:  # resolved while we looked: there is nothing left to acknowledge
            return SmsOutcome(SmsResult.NOT_OPEN, user=user, command=command)
        changed = incident.status is not target and after.status is target
        result = SmsResult(target.value) if changed else SmsResult.UNCHANGED
        return SmsOutcome(result, user=user, command=command, incident=after)

    def link_for(self, incident_id: str, user: str) -> str:
        """The acknowledge link to put in a page to `user`; absolute when the public URL is known."""
        link = AckLink(incident_id=incident_id, user=user, expires_at=self.clock.now() + self.link_ttl)
        path = f"/a/{make_ack_token(self.keys.current(), link)}"
        return f"{self.public_url.rstrip('/')}{path}" if self.public_url else path

    def open_link(self, token: str) -> tuple[AckLink, Incident]:
        """The link and its incident; AckLinkInvalid (forged, altered) or AckLinkExpired otherwise."""
        now = self.clock.now()
        link = verified(
            self.keys.accepted(), lambda key: read_ack_token(key, token, now), AckLinkInvalid, AckLinkExpired
        )
        try:
            return link, self.incidents.get(link.incident_id)
        except NotFound:
            raise AckLinkInvalid("this acknowledge link names no incident") from None

    def acknowledge_by_link(self, token: str) -> LinkOutcome:
        """Acknowledge as the link's user; an acknowledged or resolved incident is left as it is."""
        link, incident = self.open_link(token)
        if incident.status is not IncidentStatus.TRIGGERED:
            return LinkOutcome(link, incident, changed=False)
        actor = f"user:{link.user}"
        try:
            after = self.incidents.acknowledge(incident.id, actor)
        except Conflict:  # resolved in the meantime
            after = self.incidents.get(incident.id)
        changed = after.status is IncidentStatus.ACKNOWLEDGED and after.acknowledged_by == actor
        return LinkOutcome(link, after, changed=changed)

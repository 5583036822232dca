"""Status page subscribers: who hears of each public update, the signed links they get, signed webhooks.

Pure: pydantic and the standard library only, and time is always an argument.

- An email address subscribes by confirming a signed link (double opt-in) and leaves by another signed
  link (one click, RFC 8058). Both links carry a token like an acknowledge link's, signed with the same
  deployment secret under a purpose of their own, so neither ever reads as the other or as a feed token.
- A webhook is signed per delivery: `X-Klaxon-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
  keyed with the subscriber's own secret (its UTF-8 bytes, as handed out once at creation).
- The delivery plan: each public update goes to each subscriber who was active when it was posted, once:
  a delivery already recorded (sent, failed, or being sent) is never planned again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import ipaddress
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from klaxon.domain.digests import same
from klaxon.domain.errors import DomainError, InvalidInput
from klaxon.domain.model import Model
from klaxon.domain.paging.messages import EmailContent
from klaxon.domain.statuspage.models import PublicIncident, PublicStatus, StatusUpdate
from klaxon.domain.statuspage.templates import format_utc, join_names

CONFIRM_LINK_TTL = timedelta(days=3)
SIGNATURE_HEADER = "X-Klaxon-Signature"
SIGNATURE_TOLERANCE = timedelta(minutes=5)  # what a receiver should accept, against replayed deliveries
EMAIL_MAX = 254  # RFC 5321's limit on a forward path
WEBHOOK_URL_MAX = 2000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
SUBJECT_MAX = 150
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058: the body a mail client POSTs to the unsubscribe URL

# Domain separation: the secret also signs acknowledge links ("klaxon-ack-link") and calendar feeds.
_PURPOSE = b"klaxon-statuspage-subscriber\x00"
_EMAIL_ID = b"klaxon-statuspage-email\x00"
_MAC_BYTES = 16
# A sanity check, not RFC 5322: an ASCII local part, a dotted domain of DNS labels. SES is the real test.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_UNSAFE_URL = re.compile(r"[\s\x00-\x1f\x7f<>\"]")


class SubscriberKind(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class SubscriberState(StrEnum):
    PENDING = "pending"  # an email address whose confirmation link has not been opened yet
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"


class Subscriber(Model):
    """Someone (an email address) or something (a webhook URL) told of every public update.

    `secret` is a webhook's signing secret: stored to sign with, shown once when the webhook is added.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    kind: SubscriberKind
    address: str
    state: SubscriberState
    created_at: datetime
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    created_by: str | None = None  # the API token's actor that added a webhook; None: the public
    secret: str | None = Field(default=None, repr=False)

    def receives(self, update: StatusUpdate) -> bool:
        """Active, and already confirmed when the update was posted (no one gets what came before)."""
        return (
            self.state is SubscriberState.ACTIVE
            and self.confirmed_at is not None
            and self.confirmed_at <= update.created_at
        )


class DeliveryState(StrEnum):
    SENDING = "sending"  # claimed before sending: a crash here means never sent twice, maybe not at all
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed; a later publish does not try again


class Delivery(Model):
    """One public update to one subscriber; the record is written before the send, so it happens once."""

    model_config = ConfigDict(frozen=True)

    update_id: str
    subscriber_id: str
    incident_id: str  # the public incident's id
    state: DeliveryState
    at: datetime
    attempts: int = 0
    error: str | None = None


# --- addresses -----------------------------------------------------------------------------------


def normalise_email(address: str) -> str:
    """`address` trimmed, its domain in lower case; InvalidInput if it does not look like an address."""
    candidate = address.strip()
    if len(candidate) > EMAIL_MAX or not _EMAIL.match(candidate):
        raise InvalidInput("invalid email address", [f"email: {candidate!r} is not an email address"])
    local, _, domain = candidate.rpartition("@")
    return f"{local}@{domain.lower()}"


def email_subscriber_id(address: str) -> str:
    """The subscriber id of an address, whatever its case: derived, so subscribing again finds the first."""
    digest = hashlib.sha256(_EMAIL_ID + address.lower().encode()).hexdigest()
    return f"e{digest[:23]}"


def address_refusal(address: str, *, allow_loopback: bool = False) -> str | None:
    """Why a webhook may not be delivered to this IP address, or None when it may.

    Private, loopback, link-local (the instance metadata service is 169.254.169.254), multicast,
    reserved and unspecified addresses are refused, so a subscriber cannot aim Klaxon at the network
    it runs in. Loopback is allowed only where `allow_loopback` (`klaxon up`, tests), never in AWS.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    for refused, what in (
        (ip.is_unspecified, "unspecified"),
        (ip.is_link_local, "link-local (the instance metadata service lives there)"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
    ):
        if refused:
            return f"{ip} is a {what} address"
    return None


def check_webhook_url(url: str, *, allow_loopback_http: bool = False) -> str:
    """An https URL with a host and no credentials (http too for 127.0.0.1 and localhost when allowed).

    The fragment is dropped: it is never sent. InvalidInput lists every problem.
    """
    candidate = url.strip().partition("#")[0]
    problems = []
    try:
        parts = urlsplit(candidate)
        host = parts.hostname or ""
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        raise InvalidInput("invalid webhook URL", [f"webhook: {candidate!r} is not a URL"]) from None
    loopback_http = allow_loopback_http and parts.scheme == "http" and host in LOOPBACK_HOSTS
    if parts.scheme != "https" and not loopback_http:
        problems.append("webhook: the URL must start with https://")
    if not host:
        problems.append("webhook: the URL has no host")
    if parts.username is not None or parts.password is not None:
        problems.append("webhook: credentials in the URL are not sent; put a token in its path or query")
    if _UNSAFE_URL.search(candidate):
        problems.append("webhook: the URL has spaces, quotes, angle brackets or control characters")
    if len(candidate) > WEBHOOK_URL_MAX:
        problems.append(f"webhook: the URL is longer than {WEBHOOK_URL_MAX} characters")
    if problems:
        raise InvalidInput("invalid webhook URL", problems)
    return candidate


# --- signed links --------------------------------------------------------------------------------


class LinkPurpose(StrEnum):
    CONFIRM = "confirm"
    UNSUBSCRIBE = "unsubscribe"


class SubscriberLinkInvalid(DomainError):
    """The link was not signed by this deployment for this purpose, or was altered."""


class SubscriberLinkExpired(SubscriberLinkInvalid):
    """A genuine confirmation link, too old: subscribing again sends a fresh one."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, _PURPOSE + body, hashlib.sha256).digest()[:_MAC_BYTES]


def make_link_token(
    secret: bytes, purpose: LinkPurpose, subscriber_id: str, expires_at: datetime | None = None
) -> str:
    """base64url(purpose|subscriber|expiry) '.' base64url(HMAC-SHA256, 128 bits); no expiry: forever."""
    if "|" in subscriber_id:
        raise ValueError("subscriber ids in links cannot contain '|'")
    expiry = "" if expires_at is None else str(int(expires_at.timestamp()))
    body = f"{purpose.value}|{subscriber_id}|{expiry}".encode()
    return f"{_b64(body)}.{_b64(_mac(secret, body))}"


def read_link_token(secret: bytes, token: str, purpose: LinkPurpose, now: datetime) -> str:
    """The subscriber id a token was signed for; SubscriberLinkInvalid or SubscriberLinkExpired if not."""
    head, dot, mac = token.partition(".")
    try:
        body, given = _unb64(head), _unb64(mac)
        signed_purpose, subscriber_id, expiry = body.decode().split("|")
        expires_at = datetime.fromtimestamp(int(expiry), UTC) if expiry else None
    except (ValueError, UnicodeDecodeError, OverflowError, OSError):
        raise SubscriberLinkInvalid("this link is not valid") from None
    if not dot or not hmac.compare_digest(_mac(secret, body), given) or signed_purpose != purpose.value:
        raise SubscriberLinkInvalid("this link is not valid")
    if expires_at is not None and now >= expires_at:
        raise SubscriberLinkExpired("this link has expired")
    return subscriber_id


# --- webhook signatures --------------------------------------------------------------------------


_WEBHOOK_SECRET = b"klaxon-webhook-secret\0"


def webhook_secret(master: bytes, subscriber_id: str) -> str:
    """A webhook's signing secret, derived from the deployment's webhook secret and the subscriber's id:
    none is stored, and rotating the deployment's secret gives every webhook a new one."""
    mac = hmac.new(master, _WEBHOOK_SECRET + subscriber_id.encode(), hashlib.sha256).hexdigest()
    return f"whsec_{mac}"


def webhook_signature(secret: str, body: bytes, timestamp: int) -> str:
    """The `X-Klaxon-Signature` value: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    return webhook_signatures([secret], body, timestamp)


def webhook_signatures(secrets: Sequence[str], body: bytes, timestamp: int) -> str:
    """`t=<unix>,v1=<mac>[,v1=<mac>]`: one `v1` per secret, the current first. While a secret rotates both
    are sent (as Stripe does), so a receiver holding either verifies."""
    signed = f"{timestamp}.".encode() + body
    macs = [hmac.new(s.encode(), signed, hashlib.sha256).hexdigest() for s in secrets]
    return ",".join([f"t={timestamp}", *(f"v1={mac}" for mac in macs)])


def verify_webhook_signature(
    secret: str, body: bytes, header: str, now: datetime, tolerance: timedelta = SIGNATURE_TOLERANCE
) -> bool:
    """What a receiver checks: a `v1` signature of this body under `secret`, signed within `tolerance`."""
    fields = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in fields if key == "t"]
    signatures = [value for key, _, value in fields if key == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        return False
    timestamp = int(stamps[0])
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        return False
    expected = webhook_signature(secret, body, timestamp).partition(",v1=")[2]
    return any(same(expected, signature) for signature in signatures)


# --- the delivery plan ---------------------------------------------------------------------------


def delivery_plan(
    updates: Sequence[StatusUpdate],
    subscribers: Iterable[Subscriber],
    recorded: Mapping[str, Collection[str]],
) -> list[tuple[StatusUpdate, Subscriber]]:
    """Every delivery still owed, oldest update first, subscribers by id.

    Each update goes to each subscriber that `receives` it, unless `recorded[update id]` already holds
    that subscriber's id (delivered, failed or being sent): so a repeated event, a retried function and
    a later update's fan-out never send anything twice.
    """
    audience = sorted(subscribers, key=lambda s: s.id)
    return [
        (update, subscriber)
        for update in sorted(updates, key=lambda u: u.created_at)
        for subscriber in audience
        if subscriber.receives(update) and subscriber.id not in recorded.get(update.id, ())
    ]


def incident_as_of(incident: PublicIncident, update_id: str) -> PublicIncident:
    """The incident as it stood when `update_id` was posted: the updates up to it, its status and times.

    A delivery that goes out late (a retry, a fan-out catching up) still says what that update said.
    """
    index = next((i for i, u in enumerate(incident.updates) if u.id == update_id), None)
    if index is None:
        raise ValueError(f"status incident {incident.id} has no update {update_id}")
    update = incident.updates[index]
    at = update.created_at
    monitoring = incident.monitoring_at if incident.monitoring_at and incident.monitoring_at <= at else None
    resolved = incident.resolved_at if update.status is PublicStatus.RESOLVED else None
    return incident.model_copy(
        update={
            "updates": incident.updates[: index + 1],
            "status": update.status,
            "updated_at": at,
            "monitoring_at": monitoring,
            "resolved_at": resolved,
        }
    )


# --- emails --------------------------------------------------------------------------------------


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers: mail clients show an unsubscribe button that POSTs to the URL."""
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK}


def _truncate(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


_STYLE = "font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a"
_BUTTON = (
    "display:inline-block;padding:12px 20px;background:#1f4f99;color:#ffffff;text-decoration:none;"
    "border-radius:4px;font-weight:bold"
)
_SMALL = "color:#555555;font-size:13px"


def _document(subject: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{html.escape(subject)}</title></head><body style="{_STYLE}">{body}</body></html>'
    )


def confirmation_email(page_name: str, page_url: str, confirm_url: str, valid_for: timedelta) -> EmailContent:
    """Asks the address's owner to confirm: nothing else is ever sent to an unconfirmed address."""
    e = html.escape
    hours = int(valid_for.total_seconds() // 3600)
    subject = _truncate(f"Confirm your subscription to {page_name}", SUBJECT_MAX)
    ignore = "If you did not ask for this, ignore this email: you will get nothing more from us."
    text = "\n".join(
        [
            f"Please confirm that you want an email from {page_name} for every update on its incidents:",
            "",
            confirm_url,
            "",
            f"The link works for {hours} hours. {ignore}",
            "",
            f"{page_name}: {page_url}",
        ]
    )
    body = (
        f"<p>Please confirm that you want an email from {e(page_name)} for every update on its "
        f'incidents.</p><p><a href="{e(confirm_url)}" style="{_BUTTON}">Confirm my subscription</a></p>'
        f'<p style="{_SMALL}">The link works for {hours} hours. {e(ignore)}</p>'
        f'<p style="{_SMALL}"><a href="{e(page_url)}">{e(page_name)}</a></p>'
    )
    return EmailContent(subject=subject, text=text, html=_document(subject, body))


def update_email(
    page_name: str,
    incident: PublicIncident,
    update: StatusUpdate,
    *,
    names: Mapping[str, str],
    permalink: str,
    unsubscribe_url: str,
) -> EmailContent:
    """One public update by email: its status, its words, the components, the permalink, how to leave."""
    e = html.escape
    label = update.status.value.capitalize()
    subject = _truncate(f"[{page_name}] {label}: {incident.name}", SUBJECT_MAX)
    affected = join_names(names.get(c, c) for c in incident.components)
    when = format_utc(update.created_at)
    why = f"You get this email because you subscribed to {page_name}."
    text = "\n".join(
        [
            incident.name,
            f"{label} - {when}",
            "",
            update.body,
            "",
            f"Affected: {affected}",
            f"Follow this incident: {permalink}",
            "",
            f"{why} Unsubscribe: {unsubscribe_url}",
        ]
    )
    body = (
        f'<h1 style="font-size:20px">{e(incident.name)}</h1>'
        f"<p><strong>{e(label)}</strong> &middot; {e(when)}</p><p>{e(update.body)}</p>"
        f"<p>Affected: {e(affected)}</p>"
        f'<p><a href="{e(permalink)}" style="{_BUTTON}">Follow this incident</a></p>'
        f'<p style="{_SMALL}">{e(why)} <a href="{e(unsubscribe_url)}">Unsubscribe</a></p>'
    )
    return EmailContent(subject=subject, text=text, html=_document(subject, body))

"""Signed acknowledge links: `GET /a/<token>` shows a confirm page, `POST` acknowledges (works without JS).

The GET changes nothing, because mail scanners open every link in an email before the person does.
The token in the URL is the credential (see klaxon.http.auth), so the pages are never cached or referred.
"""

from __future__ import annotations

import html

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from klaxon.domain.errors import Busy
from klaxon.domain.incident.models import Incident, IncidentStatus
from klaxon.domain.paging.ackcodes import AckLinkExpired, AckLinkInvalid
from klaxon.http import deps
from klaxon.http.pages import page, stylesheet

router = Router()

_CSS = stylesheet(
    "#b00020",
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}"
    "dd{margin:0}.note{color:#444}",
)


def _page(status: int, title: str, body: str) -> Response[str]:
    return page(status, title, body, css=_CSS, title_suffix=" - Klaxon")


def _facts(incident: Incident) -> str:
    e = html.escape
    rows = [
        ("Incident", f"#{incident.number}"),
        ("Title", incident.title),
        ("Service", incident.service),
        ("Priority", incident.priority.value),
        ("Status", incident.status.value),
    ]
    if incident.drill:
        rows.append(("Drill", "yes: this incident is a fire drill"))
    return "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows) + "</dl>"


def _state(incident: Incident) -> str:
    if incident.status is IncidentStatus.RESOLVED:
        return f"<p>It was resolved by {html.escape(incident.resolved_by or 'someone')}: nothing to do.</p>"
    return f"<p>It was acknowledged by {html.escape(incident.acknowledged_by or 'someone')}.</p>"


@router.exception_handler(AckLinkExpired)
def handle_expired_link(exc: AckLinkExpired) -> Response[str]:
    return _page(
        410,
        "This link has expired",
        "<p>Acknowledge links work for a limited time. Acknowledge in the Klaxon app or API, or reply "
        "<strong>ACK</strong> and the incident number to the text message.</p>",
    )


@router.exception_handler(AckLinkInvalid)
def handle_invalid_link(exc: AckLinkInvalid) -> Response[str]:
    return _page(
        401,
        "This link is not valid",
        "<p>It may have been cut short by your email program: open it from the email again, or "
        "acknowledge in the Klaxon app or by replying to the text message.</p>",
    )


@router.get("/a/<token>", include_in_schema=False)
def handle_get_ack_link(acks: deps.Acks, token: str) -> Response[str]:
    link, incident = acks.open_link(token)
    if incident.status is not IncidentStatus.TRIGGERED:
        title = f"Incident #{incident.number} needs no acknowledgement"
        return _page(200, title, _facts(incident) + _state(incident))
    form = (
        # No action attribute: the form posts back to this very URL, whatever stage prefix it has.
        f'<form method="post"><button type="submit">Acknowledge incident #{incident.number}</button></form>'
        f'<p class="note">You acknowledge as {html.escape(link.user)}; escalation stops for everyone.</p>'
    )
    return _page(200, f"Acknowledge incident #{incident.number}?", _facts(incident) + form)


@router.post("/a/<token>", include_in_schema=False)
def handle_post_ack_link(acks: deps.Acks, token: str) -> Response[str]:
    try:
        outcome = acks.acknowledge_by_link(token)
    except Busy as busy:  # here, not on the router: a router's handlers serve every route of the app
        answer = _page(
            503,
            "Not acknowledged yet: try again",
            "<p>Other changes to this incident were being written. Go back and press the button again in "
            "a second.</p>",
        )
        answer.headers["Retry-After"] = str(busy.retry_after)
        return answer
    incident = outcome.incident
    if outcome.changed:
        return _page(
            200,
            f"Incident #{incident.number} acknowledged",
            _facts(incident) + "<p>Thank you: nobody else will be paged for it.</p>",
        )
    return _page(200, f"Incident #{incident.number} was not changed", _facts(incident) + _state(incident))

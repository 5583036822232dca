"""`POST /trackers/{jira|linear}/{tracker id}` and `POST /trackers/asana/{tracker id}/{webhook token}`: the
trackers' webhooks saying an action item's ticket is done (or open again). Each is verified before it is
read: Jira's and Linear's signatures with the webhook secret in the tracker's credentials (Linear's also
no older than a minute); Asana's handshake is taken only at the URL carrying the tracker's secret
`webhook_token`, and its secret then verifies every delivery. A bad signature is a 401; a tracker the
configuration does not name, or of another kind, a 404; a ticket that is none of ours is answered 200
and ignored, so the tracker does not retry it."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from klaxon import wiring
from klaxon.adapters import asana, jira, linear
from klaxon.adapters.ticket_index import DynamoHookSecrets
from klaxon.domain.errors import InvalidInput, NotFound, Unauthorized
from klaxon.domain.postmortem.actions import Completion, Ticket, TrackerFailed, TrackerKind, TrackerTarget
from klaxon.http import errors
from klaxon.http.bodies import raw_body

log = logging.getLogger(__name__)
app = APIGatewayRestResolver()
errors.register(app)


def _raw() -> bytes:
    return raw_body(app.current_event)


def _header(name: str) -> str | None:
    found: str | None = app.current_event.headers.get(name)  # case-insensitive
    return found


def _json(raw: bytes) -> dict[str, Any]:
    try:
        found = json.loads(raw)
    except ValueError:
        raise InvalidInput("the body is not JSON", ["send the tracker's JSON delivery"]) from None
    if not isinstance(found, dict):
        raise InvalidInput("the body is not a JSON object", ["send the tracker's JSON delivery"])
    return found


def _target(tracker_id: str, kind: TrackerKind) -> tuple[TrackerTarget, dict[str, Any]]:
    """The configured tracker and its credentials; NotFound unless it is configured, of this kind."""
    container = wiring.container()
    target = container.config_views.postmortems().trackers.trackers.get(tracker_id)
    if target is None or target.kind is not kind:
        raise NotFound(f"no {kind.value} tracker {tracker_id!r} is configured")
    return target, container.configured_trackers.credentials(tracker_id)


def _secret(credentials: dict[str, Any], name: str) -> str:
    secret = credentials.get(name)
    if not isinstance(secret, str) or not secret:
        raise Unauthorized(f"this tracker has no `{name}` in its credentials: no delivery can be verified")
    return secret


def _record(completions: list[Completion]) -> Response[str]:
    actions = wiring.container().action_service
    matched = sum(1 for c in completions if actions.completed(c))
    body = json.dumps({"received": len(completions), "matched": matched})
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=body)


@app.post("/trackers/jira/<tracker_id>")
def handle_jira(tracker_id: str) -> Response[str]:
    _, credentials = _target(tracker_id, TrackerKind.JIRA)
    raw = _raw()
    if not jira.verified(raw, _header("X-Hub-Signature"), _secret(credentials, "webhook_secret")):
        raise Unauthorized("the X-Hub-Signature does not match the body")
    found = jira.completion(tracker_id, _json(raw))
    return _record([found] if found else [])


@app.post("/trackers/linear/<tracker_id>")
def handle_linear(tracker_id: str) -> Response[str]:
    _, credentials = _target(tracker_id, TrackerKind.LINEAR)
    raw = _raw()
    delivery = _json(raw)
    now = wiring.container().clock.now()
    secret = _secret(credentials, "webhook_secret")
    if not linear.verified(raw, _header("Linear-Signature"), secret, delivery, now):
        raise Unauthorized("the Linear-Signature does not match the body, or the delivery is stale")
    found = linear.completion(tracker_id, delivery)
    return _record([found] if found else [])


@app.post("/trackers/asana/<tracker_id>/<webhook_token>")
def handle_asana(tracker_id: str, webhook_token: str) -> Response[str]:
    target, credentials = _target(tracker_id, TrackerKind.ASANA)
    expected = credentials.get("webhook_token")
    if not isinstance(expected, str) or not hmac.compare_digest(webhook_token.encode(), expected.encode()):
        raise NotFound(f"no asana tracker {tracker_id!r} is configured")  # as if the URL did not exist
    secrets = DynamoHookSecrets()
    handshake = _header("X-Hook-Secret")
    if handshake:
        secrets.put(tracker_id, handshake)
        return Response(status_code=200, headers={"X-Hook-Secret": handshake}, body="")
    kept, raw = secrets.get(tracker_id), _raw()
    if kept is None or not asana.verified(raw, _header("X-Hook-Signature"), kept):
        raise Unauthorized("the X-Hook-Signature does not match the body (or no handshake came first)")
    gids = asana.changed_tasks(_json(raw))
    tracker = wiring.container().configured_trackers(target)
    if not gids or tracker is None:
        return _record([])
    tickets = [Ticket(tracker=tracker_id, kind=TrackerKind.ASANA, key=g, id=g, url="") for g in gids]
    try:
        done = tracker.completions(tickets)
    except TrackerFailed as error:  # Asana answered the webhook but not the read: the daily poll catches up
        log.warning("asana tracker %s: tasks %s not read back: %s", tracker_id, gids, error)
        return _record([])
    return _record([Completion(tracker_id, key, at) for key, at in done.items()])

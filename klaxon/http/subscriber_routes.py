"""Status page subscribers: subscribe (anyone, by email; webhooks with a token), confirm and unsubscribe
links (small HTML pages, the signed token in the path is the credential), and the admin list.

The unsubscribe link's GET changes nothing, because mail scanners open every link in an email; its POST
unsubscribes, and is what mail clients send for one-click unsubscribe (RFC 8058). The confirmation link
confirms on GET, as double opt-in links do everywhere: the person clicks it in the email they asked for.
"""

from __future__ import annotations

import html
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import ConfigDict, Field, model_validator

from klaxon.domain.errors import Unauthorized
from klaxon.domain.model import Model
from klaxon.domain.statuspage.subscribers import (
    EMAIL_MAX,
    WEBHOOK_URL_MAX,
    Subscriber,
    SubscriberKind,
    SubscriberLinkExpired,
    SubscriberLinkInvalid,
    SubscriberState,
)
from klaxon.http import deps
from klaxon.http.auth import PRINCIPAL_KEY
from klaxon.http.pages import page, stylesheet
from klaxon.ports import ApiPrincipal
from klaxon.services.statuspage.subscribers import SubscriberView, WebhookAdded, WebhookSecret

router = Router()

ACCEPTED = "If this address can be subscribed, a confirmation email is on its way: open its link to confirm."
_CSS = stylesheet("#1f4f99")


class NewSubscriber(Model):
    """Exactly one of `email` (anyone; confirmed by a link) and `webhook` (needs an API token)."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(
        default=None, max_length=EMAIL_MAX, description="An address to email every public update to."
    )
    webhook: str | None = Field(
        default=None,
        max_length=WEBHOOK_URL_MAX,
        description="An https URL to POST every public update to, signed; needs an API token.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> NewSubscriber:
        if (self.email is None) == (self.webhook is None):
            raise ValueError("give exactly one of `email` and `webhook`")
        return self


class SubscriptionRequested(Model):
    message: str


class SubscriberList(Model):
    subscribers: list[SubscriberView]


def _page(status: int, title: str, body: str) -> Response[str]:
    return page(status, title, body, css=_CSS)


def _page_name() -> str:
    config = deps.statuspage().settings()
    return "the status page" if config is None else config.name


def _who(subscriber: Subscriber) -> str:
    return html.escape(subscriber.address)


@router.exception_handler(SubscriberLinkExpired)
def handle_expired_subscriber_link(exc: SubscriberLinkExpired) -> Response[str]:
    return _page(
        410,
        "This link has expired",
        "<p>Confirmation links work for a few days. Subscribe again to get a fresh one.</p>",
    )


@router.exception_handler(SubscriberLinkInvalid)
def handle_invalid_subscriber_link(exc: SubscriberLinkInvalid) -> Response[str]:
    return _page(
        404,
        "This link is not valid",
        f"<p>{html.escape(str(exc).capitalize())}. It may also have been cut short by your email program: "
        "open it from the email again.</p>",
    )


@router.post(
    "/v1/statuspage/subscribers",
    tags=["status page"],
    summary="Subscribe to public updates: an email address (no token; confirmed by email) or a webhook",
    description="Without a token only `email` is accepted; the answer is the same whether or not the address "
    "was subscribed. With a token, `webhook` adds an active webhook and returns its signing secret once.",
    status_code=202,
    security=[{}, {"bearer": []}],
    responses={
        201: {"description": "Webhook added", "content": {"application/json": {"model": WebhookAdded}}},
        202: {
            "description": "Email: a confirmation email is sent if the address can be subscribed",
            "content": {"application/json": {"model": SubscriptionRequested}},
        },
    },
)
def handle_subscribe(
    subscribers: deps.Subscribers, subscription: Annotated[NewSubscriber, Body()]
) -> Response[str]:
    if subscription.email is not None:
        subscribers.subscribe_email(subscription.email)
        body = SubscriptionRequested(message=ACCEPTED).model_dump_json()
        return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=body)
    assert subscription.webhook is not None
    principal = router.context.get(PRINCIPAL_KEY)
    if not isinstance(principal, ApiPrincipal):
        raise Unauthorized("adding a webhook needs an API token: send 'Authorization: Bearer <token>'")
    added = subscribers.add_webhook(subscription.webhook, principal.actor)
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=added.model_dump_json()
    )


@router.get(
    "/v1/statuspage/subscribers",
    tags=["status page"],
    summary="Every subscriber with its state and its latest delivery (never a webhook's secret)",
)
def handle_list_subscribers(subscribers: deps.Subscribers) -> SubscriberList:
    return SubscriberList(subscribers=subscribers.list())


@router.get(
    "/v1/statuspage/subscribers/<subscriber_id>/secret",
    tags=["status page"],
    summary="A webhook's current signing secret (admin): to read it again after `klaxon secrets rotate "
    "webhook`, while deliveries still carry a signature under the old one too",
)
def handle_get_webhook_secret(subscribers: deps.Subscribers, subscriber_id: str) -> WebhookSecret:
    return subscribers.webhook_secret_of(subscriber_id)


@router.delete(
    "/v1/statuspage/subscribers/<subscriber_id>",
    tags=["status page"],
    summary="Remove a subscriber: nothing more is sent to it",
    status_code=204,
)
def handle_remove_subscriber(subscribers: deps.Subscribers, subscriber_id: str) -> Response[str]:
    subscribers.remove(subscriber_id)
    return Response(status_code=204, body="")


@router.get("/v1/statuspage/subscribers/confirm/<token>", include_in_schema=False)
def handle_confirm_subscription(subscribers: deps.Subscribers, token: str) -> Response[str]:
    subscriber = subscribers.confirm(token)
    name = html.escape(_page_name())
    return _page(
        200,
        "Subscription confirmed",
        f"<p>{_who(subscriber)} will get an email from {name} for every update on its incidents. Each email "
        "has a link to unsubscribe.</p>",
    )


@router.get("/v1/statuspage/subscribers/unsubscribe/<token>", include_in_schema=False)
def handle_get_unsubscribe(subscribers: deps.Subscribers, token: str) -> Response[str]:
    subscriber = subscribers.subscriber_of_unsubscribe_link(token)
    name = html.escape(_page_name())
    if subscriber is None or subscriber.state is SubscriberState.UNSUBSCRIBED:
        return _page(200, "You are not subscribed", f"<p>Nothing more will be sent from {name}.</p>")
    what = "emails" if subscriber.kind is SubscriberKind.EMAIL else "webhook deliveries"
    form = (
        # No action attribute: the form posts back to this very URL, whatever stage prefix it has.
        '<form method="post"><button type="submit">Unsubscribe</button></form>'
    )
    return _page(200, f"Unsubscribe from {_page_name()}?", f"<p>Stop {what} to {_who(subscriber)}.</p>{form}")


@router.post("/v1/statuspage/subscribers/unsubscribe/<token>", include_in_schema=False)
def handle_post_unsubscribe(subscribers: deps.Subscribers, token: str) -> Response[str]:
    subscriber = subscribers.unsubscribe(token)
    name = html.escape(_page_name())
    who = "" if subscriber is None else f"{_who(subscriber)}: "
    return _page(200, "You are unsubscribed", f"<p>{who}nothing more will be sent from {name}.</p>")

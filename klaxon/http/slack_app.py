"""`POST /slack/events`: the Slack app's one URL for the Events API, the `/klaxon` command, buttons and the
"Add to timeline" shortcut (Bolt). Slack's signature is checked first (bad or stale: 401); every listener
acknowledges at once and does its work in a lazy listener (this function invoking itself), so Slack's
3-second limit is met however slow the work is. Nothing public changes on a typo: bad command text gets
an answer only its author sees.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.aws_lambda import SlackRequestHandler

from klaxon import wiring
from klaxon.adapters.slack import web_client
from klaxon.domain.chat.commands import USAGE, PendingUpdate, Reply, UsageError, parse
from klaxon.domain.chat.messages import PostedMessage
from klaxon.domain.errors import DomainError

if TYPE_CHECKING:
    from collections.abc import Callable

    from klaxon.adapters.slack_credentials import SlackCredentials

log = logging.getLogger(__name__)
CONFIRM, CANCEL = "klaxon_status_confirm", "klaxon_status_cancel"
# The buttons of a room's summary and of a page sent to Slack: `/klaxon ack`, `resolve`, `escalate`.
ACKNOWLEDGE, RESOLVE, ESCALATE = "klaxon_acknowledge", "klaxon_resolve", "klaxon_escalate"
_BUTTON_COMMANDS = {ACKNOWLEDGE: "ack", RESOLVE: "resolve", ESCALATE: "escalate"}
SNOOZE = "klaxon_snooze"  # a status update reminder's button
SHORTCUT = "add_to_timeline"


def _ack(ack: Callable[..., None]) -> None:
    ack()


def _answer(respond: Callable[..., Any], reply: Reply) -> None:
    """Send a reply to the response URL: in the channel, or to its author alone (with the confirm
    buttons of a proposed status update)."""
    if reply.confirm is None:
        respond(text=reply.text, response_type="in_channel" if reply.public else "ephemeral")
        return
    value = json.dumps(asdict(reply.confirm))
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": reply.text}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Post it"},
                    "style": "primary",
                    "action_id": CONFIRM,
                    "value": value,
                },
                {"type": "button", "text": {"type": "plain_text", "text": "Cancel"}, "action_id": CANCEL},
            ],
        },
    ]
    respond(text=reply.text, blocks=blocks, response_type="ephemeral")


def _guarded(respond: Callable[..., Any], work: Callable[[], Reply]) -> None:
    """Run a command's work; what the domain refuses (no such incident, a conflict) is told to its author."""
    try:
        reply = work()
    except UsageError as error:
        reply = Reply(error.message)
    except DomainError as error:
        reply = Reply(f"Klaxon could not do that: {error}")
    _answer(respond, reply)


# --- the /klaxon command ---------------------------------------------------------------------------


def _command_ack(ack: Callable[..., None], command: dict[str, Any]) -> None:
    """Within Slack's 3 seconds: a usage message for bad text (nothing else happens), else silence."""
    try:
        parsed = parse(command.get("text", ""))
    except UsageError as error:
        ack(text=error.message, response_type="ephemeral")
        return
    if parsed.name == "help":
        ack(text=USAGE, response_type="ephemeral")
    else:
        ack()


def _command_run(command: dict[str, Any], respond: Callable[..., Any]) -> None:
    try:
        parsed = parse(command.get("text", ""))
    except UsageError:
        return  # answered by the ack
    if parsed.name == "help":
        return
    commands = wiring.container().chat_commands
    _guarded(respond, lambda: commands.run(parsed, command["channel_id"], command["user_id"]))


# --- buttons ---------------------------------------------------------------------------------------


def _confirm_status(body: dict[str, Any], respond: Callable[..., Any]) -> None:
    action = body["actions"][0]
    try:
        pending = PendingUpdate(**json.loads(action["value"]))
    except (ValueError, TypeError, KeyError):
        respond(text="That button no longer works: run the command again.", response_type="ephemeral")
        return
    commands = wiring.container().chat_commands
    _guarded(respond, lambda: commands.confirm_status(pending, body["user"]["id"]))


def _cancel_status(respond: Callable[..., Any]) -> None:
    respond(text="Nothing was posted.", response_type="ephemeral", replace_original=True)


def _incident_button(body: dict[str, Any], respond: Callable[..., Any]) -> None:
    """Acknowledge, Resolve or Escalate (a room's summary, a page): the command for the incident numbered
    in the button's value."""
    action = body["actions"][0]
    commands = wiring.container().chat_commands
    parsed = parse(f"{_BUTTON_COMMANDS[action['action_id']]} #{action['value']}")
    room = (body.get("channel") or {}).get("id", "")
    _guarded(respond, lambda: commands.run(parsed, room, body["user"]["id"]))


def _snooze(body: dict[str, Any], respond: Callable[..., Any]) -> None:
    incident_id = body["actions"][0]["value"]
    try:
        interval = wiring.container().chat_reminders.snooze(incident_id)
    except DomainError as error:
        respond(text=f"Klaxon could not do that: {error}", response_type="ephemeral")
        return
    minutes = int(interval.total_seconds() // 60)
    respond(text=f"Snoozed: the next reminder in {minutes} minutes.", response_type="ephemeral")


# --- the timeline ----------------------------------------------------------------------------------


def _posted(message: dict[str, Any]) -> PostedMessage:
    return PostedMessage(
        id=str(message["ts"]),
        author=message.get("user"),
        text=message.get("text", ""),
        at_epoch=float(message["ts"]),
    )


def _pinned(event: dict[str, Any]) -> None:
    item = event.get("item") or {}
    if item.get("type") == "message" and "message" in item:
        wiring.container().timeline_capture.capture(event["channel_id"], _posted(item["message"]), "pinned")


def _reacted(event: dict[str, Any]) -> None:
    item = event.get("item") or {}
    if item.get("type") != "message":
        return
    container = wiring.container()
    if event.get("reaction") == container.config_views.chat().timeline_reaction:
        container.timeline_capture.capture_by_id(item["channel"], item["ts"], "reaction")


def _shortcut(body: dict[str, Any], respond: Callable[..., Any]) -> None:
    captured = wiring.container().timeline_capture.capture(
        body["channel"]["id"], _posted(body["message"]), "shortcut"
    )
    text = (
        "Added to the incident's timeline."
        if captured
        else "This channel is no incident's: nothing was added."
    )
    respond(text=text, response_type="ephemeral")


def _message_changed(event: dict[str, Any]) -> None:
    capture = wiring.container().timeline_capture
    if event.get("subtype") == "message_changed" and "message" in event:
        capture.edited(event["channel"], _posted(event["message"]))
    elif event.get("subtype") == "message_deleted" and event.get("deleted_ts"):
        capture.deleted(event["channel"], str(event["deleted_ts"]))


def build(credentials: SlackCredentials, api_url: str) -> App:
    """The Bolt app of one workspace (its bot token and signing secret), calling Slack at `api_url`."""
    app = App(
        client=web_client(credentials.bot_token, api_url),
        signing_secret=credentials.signing_secret,
        process_before_response=True,  # Lambda: nothing runs after the answer, except lazy listeners
        token_verification_enabled=False,  # no auth.test at cold start; the first request does it
        logger=log,
    )
    app.command("/klaxon")(ack=_command_ack, lazy=[_command_run])
    app.action(CONFIRM)(ack=_ack, lazy=[_confirm_status])
    app.action(CANCEL)(ack=_ack, lazy=[_cancel_status])
    for button in _BUTTON_COMMANDS:
        app.action(button)(ack=_ack, lazy=[_incident_button])
    app.action(SNOOZE)(ack=_ack, lazy=[_snooze])
    app.shortcut(SHORTCUT)(ack=_ack, lazy=[_shortcut])
    app.event("pin_added")(ack=_ack, lazy=[_pinned])
    app.event("reaction_added")(ack=_ack, lazy=[_reacted])
    app.event({"type": "message", "subtype": "message_changed"})(ack=_ack, lazy=[_message_changed])
    app.event({"type": "message", "subtype": "message_deleted"})(ack=_ack, lazy=[_message_changed])
    app.event("message")(_ack)  # other messages in a room: nothing to do
    return app


class _Built:
    lock = threading.Lock()
    container: object = None
    handler: SlackRequestHandler | None = None


def _lambda_handler(app: App) -> SlackRequestHandler:
    """Bolt's Lambda handler, whose lazy listeners start with this process's Lambda client: built by
    `aws.client`, on the process's one botocore session under its lock (Bolt would build its own)."""
    from klaxon.adapters.aws import client

    built = SlackRequestHandler(app)
    built.app.listener_runner.lazy_listener_runner.lambda_client = client("lambda")  # type: ignore[attr-defined]
    return built


def handler() -> SlackRequestHandler | None:
    """This process's request handler (built once per container), or None when Slack is not set up."""
    container = wiring.container()
    with _Built.lock:
        if _Built.container is not container:
            credentials = container.slack_credentials
            app = None if credentials is None else build(credentials, container.settings.slack_api_url)
            _Built.handler = None if app is None else _lambda_handler(app)
            _Built.container = container
        return _Built.handler

"""The Chat port on Slack's Web API (slack-sdk): channels, Block Kit messages, pins, user lookups.

The base URL comes from SLACK_API_URL, so a test server can stand in for slack.com. Rate limits are
honoured by slack-sdk's retry handler (it sleeps for each 429's Retry-After, then sends again); what still
fails is a ChatFailed, and the event that asked for it is retried.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from klaxon.domain.chat.messages import ChatMessage, HistoryPage, MessageRef, PostedMessage, literal
from klaxon.domain.chat.rooms import ChatFailed, NameTaken

DEFAULT_API_URL = "https://slack.com/api/"
RATE_LIMIT_RETRIES = 5
FIELDS_PER_SECTION = 10  # Block Kit: a section holds at most 10 fields
HEADER_MAX = 150  # Block Kit: a header's text is at most 150 characters
HISTORY_PAGE = 200
# Answers that mean the work is already done.
_ALREADY = {"already_in_channel", "already_pinned", "already_archived"}


def blocks_of(message: ChatMessage) -> list[dict[str, Any]]:
    """Block Kit for a message: a header, its facts as fields, its links, its note as context."""
    blocks: list[dict[str, Any]] = []
    if message.heading:
        heading = (
            message.heading[: HEADER_MAX - 1] + "…" if len(message.heading) > HEADER_MAX else message.heading
        )
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": heading}})
    else:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": literal(message.text)}})
    facts = list(message.facts)
    for start in range(0, len(facts), FIELDS_PER_SECTION):
        fields = [
            {"type": "mrkdwn", "text": f"*{literal(f.label)}*\n{literal(f.value)}"}
            for f in facts[start : start + FIELDS_PER_SECTION]
        ]
        blocks.append({"type": "section", "fields": fields})
    if message.links:
        links = " · ".join(f"<{link.url}|{literal(link.text).replace('|', '/')}>" for link in message.links)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": links}})
    if message.note:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": literal(message.note)}]})
    if message.actions:
        buttons = [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": action.label},
                "action_id": f"klaxon_{action.name}",
                "value": action.value,
            }
            for action in message.actions
        ]
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


def _posted(message: dict[str, Any]) -> PostedMessage:
    author = message.get("user") or message.get("bot_id")
    return PostedMessage(
        id=message["ts"], author=author, text=message.get("text", ""), at_epoch=float(message["ts"])
    )


def web_client(token: str, base_url: str = DEFAULT_API_URL) -> WebClient:
    """A Web API client that waits out 429s (Retry-After) and retries dropped connections."""
    return WebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


class SlackChat:
    """Chat over a bot token. One client per process; user lookups are cached for its lifetime."""

    def __init__(self, token: str, base_url: str = DEFAULT_API_URL) -> None:
        self.client = web_client(token, base_url)
        self._users: dict[str, str | None] = {}  # email -> user id
        self._emails: dict[str, str | None] = {}  # user id -> email
        self._lock = threading.Lock()

    def _call(self, method: str, **arguments: Any) -> dict[str, Any]:
        try:
            response = getattr(self.client, method.replace(".", "_"))(**arguments)
        except SlackApiError as error:
            code = error.response.get("error", "unknown_error")
            if code in _ALREADY:
                return {"ok": True, "already": code}
            if code == "name_taken":
                raise NameTaken(f"a Slack channel is named {arguments.get('name')!r}") from error
            raise ChatFailed(f"Slack refused {method}: {code}") from error
        except (SlackClientError, OSError) as error:  # OSError: urllib's URLError, a refused connection
            raise ChatFailed(f"Slack could not be reached for {method}: {error}") from error
        return dict(response.data) if isinstance(response.data, dict) else {}

    def user_for_email(self, email: str) -> str | None:
        key = email.lower()
        with self._lock:
            if key in self._users:
                return self._users[key]
        try:
            found = self._call("users.lookupByEmail", email=email)
        except ChatFailed as error:
            if "users_not_found" not in str(error):
                raise
            found = {}
        user = found.get("user", {}).get("id")
        with self._lock:
            self._users[key] = user
        return user

    def email_of(self, user: str) -> str | None:
        with self._lock:
            if user in self._emails:
                return self._emails[user]
        try:
            found = self._call("users.info", user=user)
        except ChatFailed as error:
            if "user_not_found" not in str(error):
                raise
            found = {}
        email = (found.get("user", {}).get("profile") or {}).get("email")
        with self._lock:
            self._emails[user] = email
        return email

    def message(self, room: str, message_id: str) -> PostedMessage | None:
        page = self._call("conversations.history", channel=room, latest=message_id, inclusive=True, limit=1)
        found = [m for m in page.get("messages", []) if m.get("ts") == message_id]
        return _posted(found[0]) if found else None

    def open_room(self, name: str) -> str:
        return str(self._call("conversations.create", name=name)["channel"]["id"])

    def invite(self, room: str, users: Sequence[str]) -> None:
        if users:
            self._call("conversations.invite", channel=room, users=",".join(users))

    def post(self, room: str, message: ChatMessage) -> MessageRef:
        sent = self._call("chat.postMessage", channel=room, text=message.text, blocks=blocks_of(message))
        return MessageRef(room=str(sent["channel"]), id=str(sent["ts"]))

    def update(self, ref: MessageRef, message: ChatMessage) -> None:
        self._call("chat.update", channel=ref.room, ts=ref.id, text=message.text, blocks=blocks_of(message))

    def pin(self, ref: MessageRef) -> None:
        self._call("pins.add", channel=ref.room, timestamp=ref.id)

    def set_group(self, group: str, users: Sequence[str]) -> None:
        self._call("usergroups.users.update", usergroup=group, users=",".join(users))

    def archive(self, room: str) -> None:
        self._call("conversations.archive", channel=room)

    def history(self, room: str, cursor: str | None = None) -> HistoryPage:
        arguments: dict[str, Any] = {"channel": room, "limit": HISTORY_PAGE}
        if cursor:
            arguments["cursor"] = cursor
        page = self._call("conversations.history", **arguments)
        messages = tuple(_posted(m) for m in reversed(page.get("messages", [])))
        following = (page.get("response_metadata") or {}).get("next_cursor") or None
        return HistoryPage(messages=messages, next=following)

"""Requests as Slack sends them to `POST /slack/events`: slash commands, events, button clicks and
shortcuts, each signed with the app's signing secret (slack_sdk's SignatureVerifier computes it)."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

TEAM = "T00000001"


@dataclass
class SlackSender:
    client: httpx.Client  # the platform's base URL
    secret: str
    respond_base: str  # the mock Slack server's base URL: response_url points there
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def send(
        self, body: str, content_type: str, *, secret: str | None = None, timestamp: int | None = None
    ) -> httpx.Response:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret or self.secret).generate_signature(timestamp=stamp, body=body)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        }
        return self.client.post("/slack/events", content=body.encode(), headers=headers)

    def response_url(self) -> str:
        return f"{self.respond_base}/respond/{next(self._ids)}"

    def command(self, text: str, channel: str, user: str, **kw: Any) -> httpx.Response:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "whatever",
            "user_id": user,
            "user_name": "someone",
            "command": "/klaxon",
            "text": text,
            "api_app_id": "AKLAXON01",
            "response_url": self.response_url(),
            "trigger_id": f"{next(self._ids)}.trigger",
        }
        return self.send(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def event(self, event: dict[str, Any], **kw: Any) -> httpx.Response:
        body = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": "AKLAXON01",
            "type": "event_callback",
            "event_id": f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "event": event,
        }
        return self.send(json.dumps(body), "application/json", **kw)

    def interaction(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        payload = {
            "team": {"id": TEAM, "domain": "acme"},
            "api_app_id": "AKLAXON01",
            "token": "legacy",
            **payload,
        }
        payload.setdefault("response_url", self.response_url())
        return self.send(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw
        )

    def click(self, action_id: str, value: str, channel: str, user: str) -> httpx.Response:
        return self.interaction(
            {
                "type": "block_actions",
                "user": {"id": user},
                "channel": {"id": channel},
                "trigger_id": f"{next(self._ids)}.trigger",
                "container": {"type": "message", "channel_id": channel},
                "actions": [{"type": "button", "action_id": action_id, "value": value, "block_id": "b1"}],
            }
        )

    def shortcut(self, channel: str, user: str, message: dict[str, Any]) -> httpx.Response:
        return self.interaction(
            {
                "type": "message_action",
                "callback_id": "add_to_timeline",
                "trigger_id": f"{next(self._ids)}.trigger",
                "user": {"id": user},
                "channel": {"id": channel},
                "message": message,
                "message_ts": message["ts"],
            }
        )

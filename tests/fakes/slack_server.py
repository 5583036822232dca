"""A threaded mock of Slack's Web API, for tests and the chat bench: it holds a workspace (users,
channels, messages, pins), validates every call against Slack's own API description
(tests/fixtures/slack/web-api.json) and every answer it gives against the method's response schema.

A call the description does not allow (an unknown method or argument, a wrong type, a missing required
argument) is answered `invalid_arguments` and recorded in `violations`; tests assert there are none.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema

from tests.fakes.slack_spec import check_answer, check_call

BOT_USER = "UKLAXONBOT"
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass
class Channel:
    id: str
    name: str
    members: set[str] = field(default_factory=set)
    archived: bool = False
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # ts -> message, oldest first
    pins: set[str] = field(default_factory=set)
    created: int = field(default_factory=lambda: int(time.time()))


class SlackWorkspace:
    """The state behind the mock: users, channels, messages. Thread-safe."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.users: dict[str, dict[str, Any]] = {}  # email -> user object
        self.channels: dict[str, Channel] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.violations: list[str] = []
        self.throttled: dict[str, list[int]] = {}  # method -> Retry-After seconds of the next answers
        self.responses: list[dict[str, Any]] = []  # what was sent to response URLs (`response_url`)
        self.usergroups: dict[str, dict[str, Any]] = {}  # id -> {"handle", "users"}
        self.app_token = "xapp-klaxon-test"  # Socket Mode's app-level token: apps.connections.open only
        self.socket_url: str | None = None  # where apps.connections.open sends the client
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self._last_ts = 0.0

    # --- setting up ---------------------------------------------------------------------------------

    def add_user(self, email: str, name: str) -> str:
        with self.lock:
            user_id = f"U{next(self._ids):08d}"
            self.users[email.lower()] = {
                "id": user_id,
                "name": name.lower().replace(" ", "."),
                "real_name": name,
                "team_id": "T00000001",
                "deleted": False,
                "is_bot": False,
                "profile": {
                    "real_name": name,
                    "display_name": name,
                    "avatar_hash": "",
                    "real_name_normalized": name,
                    "display_name_normalized": name,
                    "title": "",
                    "phone": "",
                    "skype": "",
                    "status_text": "",
                    "status_emoji": "",
                    "fields": None,
                    "email": email,
                    "team": "T00000001",
                },
            }
            return user_id

    def add_usergroup(self, handle: str) -> str:
        with self.lock:
            group = f"S{next(self._ids):08d}"
            self.usergroups[group] = {"handle": handle, "users": []}
            return group

    def add_channel(self, name: str, *, bot_member: bool = True) -> Channel:
        with self.lock:
            channel = Channel(id=f"C{next(self._ids):09d}", name=name)
            if bot_member:
                channel.members.add(BOT_USER)
            self.channels[channel.id] = channel
            return channel

    def throttle(self, method: str, *retry_after: int) -> None:
        """Answer the next calls of `method` 429 with these Retry-After seconds, one per call."""
        with self.lock:
            self.throttled.setdefault(method, []).extend(retry_after)

    def channel_named(self, name: str) -> Channel | None:
        with self.lock:
            return next((c for c in self.channels.values() if c.name == name.lstrip("#")), None)

    def post_as(self, user: str, channel: Channel, text: str) -> dict[str, Any]:
        """A person's message in a channel (as Slack would store it)."""
        with self.lock:
            message = {"type": "message", "ts": self._ts(), "text": text, "user": user}
            channel.messages[message["ts"]] = message
            return message

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [arguments for called, arguments in self.calls if called == method]

    # --- answering ------------------------------------------------------------------------------------

    def _ts(self) -> str:
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def _channel(self, ref: str) -> Channel | None:
        return self.channels.get(ref) or self.channel_named(ref)

    def answer(self, method: str, arguments: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        with self.lock:
            return dict(handler(arguments))

    def _users_lookupByEmail(self, a: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(a["email"]).lower())
        return {"ok": True, "user": user} if user else {"ok": False, "error": "users_not_found"}

    def _apps_connections_open(self, a: dict[str, Any]) -> dict[str, Any]:
        if self.socket_url is None:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_url}

    def _auth_test(self, a: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "klaxon",
            "team_id": "T00000001",
            "user_id": BOT_USER,
            "bot_id": "BKLAXON01",
        }

    def _users_info(self, a: dict[str, Any]) -> dict[str, Any]:
        user = next((u for u in self.users.values() if u["id"] == a.get("user")), None)
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _conversations_create(self, a: dict[str, Any]) -> dict[str, Any]:
        name = str(a["name"])
        if len(name) > 80:
            return {"ok": False, "error": "invalid_name_maxlength"}
        if not name or set(name) - _NAME_CHARS:
            return {"ok": False, "error": "invalid_name_specials"}
        if self.channel_named(name):
            return {"ok": False, "error": "name_taken"}
        channel = self.add_channel(name)
        return {"ok": True, "channel": self._conversation(channel)}

    @staticmethod
    def _conversation(channel: Channel) -> dict[str, Any]:
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": True,
            "is_archived": channel.archived,
            "created": channel.created,
        }

    def _conversations_invite(self, a: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(a["channel"]))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        users = [u for u in str(a["users"]).split(",") if u]
        known = {u["id"] for u in self.users.values()}
        if any(u not in known for u in users):
            return {"ok": False, "error": "user_not_found"}
        if all(u in channel.members for u in users):
            return {"ok": False, "error": "already_in_channel"}
        channel.members.update(users)
        return {"ok": True, "channel": self._conversation(channel)}

    def _direct(self, user: str) -> Channel | None:
        """The app's direct messages with a user (posting to a member id opens them, as in Slack)."""
        if user not in {u["id"] for u in self.users.values()}:
            return None
        found = next((c for c in self.channels.values() if c.id.startswith("D") and c.name == user), None)
        if found is None:
            found = Channel(id=f"D{next(self._ids):09d}", name=user, members={BOT_USER, user})
            self.channels[found.id] = found
        return found

    def _posting_channel(self, ref: str) -> tuple[Channel | None, str | None]:
        channel = self._channel(ref) or self._direct(ref)
        if channel is None:
            return None, "channel_not_found"
        if channel.archived:
            return None, "is_archived"
        if BOT_USER not in channel.members:
            return None, "not_in_channel"
        return channel, None

    def _chat_postMessage(self, a: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._posting_channel(str(a["channel"]))
        if channel is None:
            return {"ok": False, "error": error}
        message = {"type": "message", "ts": self._ts(), "text": a.get("text", ""), "bot_id": "BKLAXON01"}
        if a.get("blocks"):
            blocks = a["blocks"]
            message["blocks"] = json.loads(blocks) if isinstance(blocks, str) else blocks
        channel.messages[message["ts"]] = message
        return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": message}

    def _chat_update(self, a: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._posting_channel(str(a["channel"]))
        if channel is None:
            return {"ok": False, "error": error}
        message = channel.messages.get(str(a["ts"]))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message["text"] = a.get("text", message["text"])
        if a.get("blocks"):
            blocks = a["blocks"]
            message["blocks"] = json.loads(blocks) if isinstance(blocks, str) else blocks
        # The description types an updated message's `blocks` as an object (a list in Slack's answers and
        # its other schemas), so the answer leaves them out: Klaxon reads only `ts`.
        echoed = {k: v for k, v in message.items() if k != "blocks"}
        return {
            "ok": True,
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": echoed,
        }

    def _pins_add(self, a: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(a["channel"]))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = str(a.get("timestamp"))
        if ts not in channel.messages:
            return {"ok": False, "error": "message_not_found"}
        if ts in channel.pins:
            return {"ok": False, "error": "already_pinned"}
        channel.pins.add(ts)
        return {"ok": True}

    def _conversations_archive(self, a: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(a["channel"]))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel.archived:
            return {"ok": False, "error": "already_archived"}
        channel.archived = True
        return {"ok": True}

    def _usergroups_users_update(self, a: dict[str, Any]) -> dict[str, Any]:
        group = self.usergroups.get(str(a["usergroup"]))
        if group is None:
            return {"ok": False, "error": "no_such_subteam"}
        users = [u for u in str(a["users"]).split(",") if u]
        known = {u["id"] for u in self.users.values()}
        if not users or any(u not in known for u in users):
            return {"ok": False, "error": "invalid_users"}
        group["users"] = users
        now = int(time.time())
        subteam = {
            "id": a["usergroup"],
            "team_id": "T00000001",
            "is_usergroup": True,
            "is_subteam": True,
            "name": group["handle"],
            "description": "",
            "handle": group["handle"],
            "is_external": False,
            "date_create": now,
            "date_update": now,
            "date_delete": 0,
            "auto_type": None,
            "auto_provision": False,
            "enterprise_subteam_id": "",
            "created_by": BOT_USER,
            "updated_by": BOT_USER,
            "deleted_by": None,
            "prefs": {"channels": [], "groups": []},
            "users": users,
            "user_count": len(users),
        }
        return {"ok": True, "usergroup": subteam}

    def _conversations_history(self, a: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(a["channel"]))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        newest_first = sorted(channel.messages.values(), key=lambda m: float(m["ts"]), reverse=True)
        if a.get("latest"):
            inclusive = str(a.get("inclusive")).lower() in {"true", "1"}
            latest = float(a["latest"])
            newest_first = [
                m for m in newest_first if float(m["ts"]) < latest or (inclusive and float(m["ts"]) == latest)
            ]
        start = int(a.get("cursor") or 0)
        limit = int(a.get("limit") or 100)
        page = newest_first[start : start + limit]
        more = start + limit < len(newest_first)
        answer: dict[str, Any] = {
            "ok": True,
            "messages": page,
            "has_more": more,
            "pin_count": len(channel.pins),
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }
        return answer


class _Handler(BaseHTTPRequestHandler):
    workspace: SlackWorkspace

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._guarded("GET")

    def do_POST(self) -> None:
        self._guarded("POST")

    def _guarded(self, verb: str) -> None:
        try:
            self._serve(verb)
        except Exception as error:  # a fault of the fake itself: recorded, so the test fails on it
            with self.workspace.lock:
                self.workspace.violations.append(f"the fake failed on {self.path}: {error!r}")
            self._send(200, {"ok": False, "error": "fatal_error"})

    def _arguments(self, verb: str) -> tuple[dict[str, Any], bool]:
        query = dict(parse_qsl(urlsplit(self.path).query))
        if verb == "GET":
            return query, False
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return {**query, **json.loads(body or b"{}")}, True
        return {**query, **dict(parse_qsl(body.decode()))}, False

    def _serve(self, verb: str) -> None:
        workspace = self.workspace
        if urlsplit(self.path).path.startswith("/respond/"):  # a command's or an action's response_url
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with workspace.lock:
                workspace.responses.append(json.loads(body or b"{}"))
            self._send(200, {"ok": True})
            return
        method = urlsplit(self.path).path.rsplit("/", 1)[-1]
        arguments, json_body = self._arguments(verb)
        with workspace.lock:
            workspace.calls.append((method, arguments))
            waits = workspace.throttled.get(method)
            retry_after = waits.pop(0) if waits else None
        if retry_after is not None:
            self._send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
            return
        token = self.headers.get("Authorization", "").removeprefix("Bearer ") or arguments.pop("token", "")
        arguments.pop("token", None)
        problems = check_call(method, verb, arguments, json_body)
        if problems:
            with workspace.lock:
                workspace.violations += problems
            self._send(200, {"ok": False, "error": "invalid_arguments"})
            return
        expected = workspace.app_token if method == "apps.connections.open" else workspace.token
        if token != expected:
            self._send(200, {"ok": False, "error": "invalid_auth"})
            return
        body = workspace.answer(method, arguments)
        try:
            check_answer(method, verb, body)
        except jsonschema.ValidationError as error:
            with workspace.lock:
                workspace.violations.append(
                    f"{method}: the fake's own answer breaks Slack's schema: {error.message}"
                )
        self._send(200, body)

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class SlackServer:
    """`with SlackServer() as slack:` serves the Web API at `slack.url` (SLACK_API_URL) on a thread."""

    def __init__(self, token: str = "xoxb-klaxon-test") -> None:
        self.workspace = SlackWorkspace(token)
        handler = type("Handler", (_Handler,), {"workspace": self.workspace})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SlackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

"""Slack's Socket Mode end, for `klaxon up` without a public URL: `apps.connections.open` (answered by the
Web API mock) hands out this server's URL; it greets a client with `hello`, sends it envelopes (a slash
command, an event) and keeps what the client acknowledges, as Slack's WebSocket does."""

from __future__ import annotations

import itertools
import json
import queue
import threading
from contextlib import suppress
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class SocketModeServer:
    def __init__(self) -> None:
        self.outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.acks: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._ids = itertools.count(1)
        self.server: Server = serve(self._serve, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link/?ticket=klaxon-test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SocketModeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()

    def send(self, kind: str, payload: dict[str, Any]) -> str:
        """Queue an envelope (`slash_commands`, `events_api`, `interactive`); its id."""
        envelope_id = f"envelope-{next(self._ids)}"
        self.outbox.put(
            {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": True}
        )
        return envelope_id

    def _serve(self, connection: ServerConnection) -> None:
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "AKLAXON01"}}
        connection.send(json.dumps(hello))
        self.connected.set()
        try:
            while True:
                with suppress(TimeoutError):
                    self.acks.append(json.loads(connection.recv(timeout=0.05)))
                while not self.outbox.empty():
                    connection.send(json.dumps(self.outbox.get()))
        except ConnectionClosed:
            return

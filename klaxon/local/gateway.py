"""A small HTTP server that turns requests into API Gateway (REST) proxy events for the real handlers."""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from klaxon.topology import ROUTES, function_for_path

log = logging.getLogger("klaxon.local.http")
MAX_BODY = 10 * 1024 * 1024  # API Gateway's own payload limit
# The status page's Statuspage-compatible JSON is read by widgets on other sites, as CloudFront serves it.
CORS_PATH = "/api/v2/"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "86400",
}
_STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".svg": "image/svg+xml",
    ".js": "text/javascript",
    ".ics": "text/calendar",
}
Invoke = Callable[[str, dict[str, Any]], Any]


def proxy_event(
    method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
) -> dict[str, Any]:
    """The event API Gateway's Lambda proxy integration would send for this request."""
    url = urlsplit(raw_path)
    query = parse_qs(url.query, keep_blank_values=True)
    function = function_for_path(url.path)
    resource = next(
        (r.path for r in ROUTES if r.function == function and url.path.startswith(r.path.split("{")[0])),
        url.path,
    )
    try:
        text, encoded = body.decode(), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    return {
        "resource": resource,
        "path": url.path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"proxy": url.path[len(resource.split("{")[0]) :]}
        if "{proxy+}" in resource
        else None,
        "stageVariables": None,
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "stage": "local",
            "httpMethod": method,
            "path": url.path,
            "resourcePath": resource,
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip},
        },
        "body": text if body else None,
        "isBase64Encoded": encoded,
    }


def make_server(
    host: str, port: int, invoke: Invoke, static_dirs: dict[str, Path] | None = None
) -> ThreadingHTTPServer:
    statics: dict[str, Path] = static_dirs or {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "klaxon-local"
        # Headers and body go in two writes: with Nagle's algorithm on, a keep-alive client's delayed
        # ACK holds the second one ~40 ms on every request.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body).encode(), {"Content-Type": "application/json"})

        def _static(self, path: str) -> bool:
            for prefix, folder in statics.items():
                if path == prefix.rstrip("/"):
                    self._send(301, b"", {"Location": prefix})
                    return True
                if path.startswith(prefix):
                    relative = path[len(prefix) :] or "index.html"
                    target = (folder / relative).resolve()
                    if target.is_dir():
                        target = target / "index.html"
                    if folder.resolve() not in target.parents or not target.is_file():
                        self._json(404, {"message": f"no such page {path}"})
                        return True
                    headers = {"Content-Type": _STATIC_TYPES.get(target.suffix, "application/octet-stream")}
                    if CORS_PATH in path:
                        headers |= CORS_HEADERS
                    self._send(200, target.read_bytes(), headers)
                    return True
            return False

        def _preflight(self, path: str) -> bool:
            """A CORS preflight for the status JSON (a widget sending headers of its own asks first)."""
            if self.command != "OPTIONS" or CORS_PATH not in path:
                return False
            if not any(path.startswith(prefix) for prefix in statics):
                return False
            self._send(204, b"", CORS_HEADERS)
            return True

        def _handle(self) -> None:
            path = urlsplit(self.path).path
            if self.command in ("GET", "HEAD") and self._static(path):
                return
            if self._preflight(path):
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._json(413, {"message": f"request body over {MAX_BODY} bytes"})
                return
            body = self.rfile.read(length) if length else b""
            function = function_for_path(path)
            if function is None:
                self._json(404, {"message": f"no route for {self.command} {path}"})
                return
            event = proxy_event(
                self.command, self.path, dict(self.headers.items()), body, self.client_address[0]
            )
            try:
                result = invoke(function, event)
            except Exception:
                log.exception("%s raised", function)
                self._json(
                    502, {"message": "Internal server error"}
                )  # what API Gateway says when Lambda fails
                return
            payload = result.get("body") or ""
            data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
            headers = dict(result.get("headers") or {})
            for key, values in (result.get("multiValueHeaders") or {}).items():
                headers[key] = values[-1]
            self._send(int(result.get("statusCode", 200)), data, headers)

        def __getattr__(self, name: str) -> Any:
            """Any method an `ANY` method of API Gateway does not take (TRACE, CONNECT, made-up ones):
            405, as API Gateway answers, not http.server's 501."""
            if name.startswith("do_"):
                return self._unsupported
            raise AttributeError(name)

        def _unsupported(self) -> None:
            self._json(405, {"message": f"method {self.command} is not allowed"})

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server

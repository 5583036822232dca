"""Webhook deliveries over HTTP(S) to vetted addresses only: a timeout, no redirects, any 2xx is success.

Statuspage's rule for its own webhooks, which receivers built for it expect: answer 2xx within 30 seconds;
a 3xx counts as a failure (a redirect is never followed, so a body is never re-sent somewhere else).

A subscriber's host is resolved once per delivery, every address it resolves to is checked
(`address_refusal`: no private, loopback, link-local or metadata address), and the connection goes to
that vetted address, with the host name kept for TLS (SNI and the certificate) and the Host header:
a DNS answer that changes between the check and the connection (rebinding) cannot reach inside.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from klaxon.domain.errors import InvalidInput
from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.domain.statuspage.subscribers import address_refusal

TIMEOUT_SECONDS = 10.0
USER_AGENT = "Klaxon-Statuspage-Webhook/1"
Resolve = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (socket.gaierror when it resolves to none)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


class _Refused(Exception):
    """The URL's host resolves to an address webhooks may not go to (or to none)."""


class _Pinned(http.client.HTTPSConnection):
    """HTTPS to one vetted address, verified against the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedPlain(http.client.HTTPConnection):
    """Plain HTTP to one vetted address (loopback only: `klaxon up` and tests)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class HttpWebhookPoster:
    def __init__(
        self, timeout: float = TIMEOUT_SECONDS, *, allow_loopback: bool = False, resolver: Resolve = resolve
    ) -> None:
        self.timeout = timeout
        self.allow_loopback = allow_loopback
        self.resolver = resolver

    def _target(self, url: str) -> tuple[str, int, str]:
        """(host, port, a vetted address); _Refused saying why the URL may not be delivered to."""
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise _Refused(f"{host} does not resolve: {exc}") from None
        if not addresses:
            raise _Refused(f"{host} does not resolve")
        for address in addresses:
            refusal = address_refusal(address, allow_loopback=self.allow_loopback)
            if refusal is not None:
                raise _Refused(f"{host} resolves to {refusal}")
        return host, port, addresses[0]

    def vet(self, url: str) -> None:
        """InvalidInput unless every address the URL's host resolves to may receive webhooks."""
        try:
            self._target(url)
        except _Refused as refused:
            raise InvalidInput("webhook URL refused", [f"webhook: {refused}"]) from None

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST `body`; the status code when it is 2xx, else DeliveryFailed saying what happened."""
        try:
            host, port, address = self._target(url)
        except _Refused as refused:
            raise DeliveryFailed(f"webhook: {refused}") from None
        parts = urlsplit(url)
        kind = _Pinned if parts.scheme == "https" else _PinnedPlain
        connection = kind(host, port, address, self.timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=body, headers={"User-Agent": USER_AGENT, **headers})
            response = connection.getresponse()
            status = int(response.status)
            response.read(1024)  # let the server finish its answer; the body itself is ignored
        except (http.client.HTTPException, OSError, ValueError) as exc:
            raise DeliveryFailed(f"webhook: {type(exc).__name__}: {exc}") from None
        finally:
            connection.close()
        if not 200 <= status < 300:
            raise DeliveryFailed(f"webhook: HTTP {status}")
        return status

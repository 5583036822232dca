"""Webhook deliveries over HTTP(S) with urllib: a timeout, no redirects, any 2xx is success.

Statuspage's rule for its own webhooks, which receivers built for it expect: answer 2xx within 30 seconds;
a 3xx counts as a failure (a redirect is never followed, so a body is never re-sent somewhere else).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from http.client import HTTPException
from typing import Any

from klaxon.domain.paging.pages import DeliveryFailed

TIMEOUT_SECONDS = 10.0
USER_AGENT = "Klaxon-Statuspage-Webhook/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


class UrllibWebhookPoster:
    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST `body`; the status code when it is 2xx, else DeliveryFailed saying what happened."""
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"User-Agent": USER_AGENT, **headers}
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = int(response.status)
                response.read(1024)  # let the server finish its answer; the body itself is ignored
        except urllib.error.HTTPError as exc:
            exc.close()
            raise DeliveryFailed(f"webhook: HTTP {exc.code}") from None
        except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryFailed(f"webhook: {type(exc).__name__}: {reason}") from None
        if not 200 <= status < 300:
            raise DeliveryFailed(f"webhook: HTTP {status}")
        return status

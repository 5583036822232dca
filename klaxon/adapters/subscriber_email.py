"""Status page email through SES v2: plain text and HTML, with the one-click unsubscribe headers.

`send_email` with Simple content takes extra `Headers` (botocore 1.35 and later), so List-Unsubscribe and
List-Unsubscribe-Post (RFC 8058) need no hand-built MIME message.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from klaxon.adapters.aws import client
from klaxon.adapters.notifiers import EMAIL_FROM_ENV, provider_errors
from klaxon.domain.paging.messages import EmailContent
from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.domain.paging.policy import Channel


def email_request(sender: str, to: str, content: EmailContent, headers: Mapping[str, str]) -> dict[str, Any]:
    """The arguments of SES v2 `send_email` for one message."""
    simple: dict[str, Any] = {
        "Subject": {"Data": content.subject, "Charset": "UTF-8"},
        "Body": {
            "Text": {"Data": content.text, "Charset": "UTF-8"},
            "Html": {"Data": content.html, "Charset": "UTF-8"},
        },
    }
    if headers:
        simple["Headers"] = [{"Name": name, "Value": value} for name, value in headers.items()]
    return {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Simple": simple},
    }


class SesEmailSender:
    """Sends from `sender` when one is given (the page's own), else from the paging sender."""

    def __init__(self, default_sender: str | None = None) -> None:
        self.default_sender = default_sender
        # The fan-out sends from several threads; boto3 builds a client on a session that is not thread-safe.
        self._client_lock = threading.Lock()

    def send(
        self, to: str, content: EmailContent, headers: Mapping[str, str], sender: str | None = None
    ) -> str:
        chosen = sender or self.default_sender
        if not chosen:
            raise DeliveryFailed(f"email: no sender address is configured ({EMAIL_FROM_ENV})")
        with self._client_lock:
            ses = client("sesv2")
        with provider_errors(Channel.EMAIL):
            answer = ses.send_email(**email_request(chosen, to, content, headers))
        return str(answer["MessageId"])

"""The paging channels of `klaxon up` and the tests: every message sent, on every channel, in one outbox.

moto has SES v2 and SNS mobile push, not End User Messaging SMS and voice (pinpoint-sms-voice-v2). A
botocore `before-call` handler answers that service the way AWS does (a MessageId, or its errors for an
opted-out destination or an unknown origination number) and records each request. `after-call` handlers
on the four sends announce each message as it goes, so `klaxon up` can print it.
"""

from __future__ import annotations

import html
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError

from klaxon.domain.paging.policy import Channel
from klaxon.local.emulation import ACCOUNT, REGION
from klaxon.settings import Settings

LOCAL_ORIGINATION = "+15550100000"  # the demo's two-way number, for SMS and voice
LOCAL_SENDER = "Klaxon <pages@klaxon.localhost>"
PUSH_APPLICATION = "klaxon-local"
SMS_VOICE = "pinpoint-sms-voice-v2"
_SMS_VOICE_ENDPOINT = f"https://sms-voice.{REGION}.amazonaws.com"
_SENDS = {"SendTextMessage": Channel.SMS, "SendVoiceMessage": Channel.VOICE}
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
PRINTED_TEXT_MAX = 140  # a printed page stays on one terminal line, more or less


@dataclass(frozen=True)
class SentMessage:
    """One message as it left: `text` is what the person reads or hears first, `body` all of it."""

    channel: Channel
    to: str
    text: str  # the SMS, the spoken words, the email subject, the push title and body
    body: str  # the SMS, the SSML, the email's HTML, SNS's per-platform JSON
    message_id: str
    at: datetime | None = None


@dataclass(frozen=True)
class SmsVoiceRequest:
    """A pinpoint-sms-voice-v2 request as the recorder received it (refused ones carry `error`)."""

    operation: str
    params: dict[str, Any]
    at: datetime
    message_id: str | None = None
    error: str | None = None


def spoken(ssml: str) -> str:
    """The words of an SSML document, without its markup."""
    return _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", ssml))).strip()


def inbound_sms_event(sender: str, text: str, to: str = LOCAL_ORIGINATION) -> dict[str, Any]:
    """The Lambda event of a two-way SMS reply: End User Messaging publishes it to SNS, SNS invokes us."""
    message = {
        "originationNumber": sender,
        "destinationNumber": to,
        "messageKeyword": "KEYWORD_" + ACCOUNT,
        "messageBody": text,
        "inboundMessageId": str(uuid.uuid4()),
        "previousPublishedMessageId": str(uuid.uuid4()),
    }
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:klaxon-inbound-sms"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": topic,
                    "Subject": None,
                    "Message": json.dumps(message),
                    "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                    "SignatureVersion": "1",
                    "Signature": "local",
                    "SigningCertUrl": "https://sns.local/cert.pem",
                    "UnsubscribeUrl": "https://sns.local/unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


@dataclass
class LocalMessaging:
    """Start after moto (`start`), stop with the platform; `outbox()` lists every message sent."""

    deliver_inbound: Callable[[dict[str, Any]], Any] | None = None  # runs the sms_inbound function
    opted_out: set[str] = field(default_factory=set)  # destinations that replied STOP
    unreachable: bool = False  # End User Messaging cannot be reached (connection refused)
    requests: list[SmsVoiceRequest] = field(default_factory=list, init=False)
    originations: set[str] = field(default_factory=set, init=False)  # numbers the account "owns"
    _listeners: list[Callable[[SentMessage], None]] = field(default_factory=list, init=False)
    _sent_at: dict[str, datetime] = field(default_factory=dict, init=False)
    _accepted: dict[str, SmsVoiceRequest] = field(default_factory=dict, init=False)  # by message id
    _announced: set[str] = field(default_factory=set, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def start(self, settings: Settings, print_to: IO[str] | None = None) -> Settings:
        """Answer End User Messaging, verify the sender in SES, create the push application (moto).

        Returns `settings` with the channels filled in: the numbers and sender it names, else the local
        ones, and the push application just made. With `print_to`, each page is printed there as it is
        sent (`klaxon up`).
        """
        from klaxon.adapters.aws import client

        sms = settings.sms_origination or LOCAL_ORIGINATION
        voice = settings.voice_origination or LOCAL_ORIGINATION
        self.originations |= {sms, voice}
        sender = settings.email_from or LOCAL_SENDER
        _install_hooks()
        _Active.messaging = self
        client("sesv2").create_email_identity(EmailIdentity=sender.rpartition("@")[2].rstrip(">"))
        application = client("sns").create_platform_application(
            Name=PUSH_APPLICATION, Platform="GCM", Attributes={"PlatformCredential": "local"}
        )
        if print_to is not None:
            self.on_sent(PagePrinter(print_to, addresses_from_config))
        # The emulated account is ours alone: its application replaces whatever the shell named.
        channels = {"sms_origination": sms, "voice_origination": voice, "email_from": sender}
        return settings.model_copy(
            update={**channels, "push_application_arn": application["PlatformApplicationArn"]}
        )

    def stop(self) -> None:
        if _Active.messaging is self:
            _Active.messaging = None

    def on_sent(self, listener: Callable[[SentMessage], None]) -> None:
        """Call `listener` with each message as it is sent (from the sending thread)."""
        self._listeners.append(listener)

    def reply(self, sender: str, text: str) -> Any:
        """Deliver an SMS reply from `sender` as End User Messaging would: to the sms_inbound function."""
        if self.deliver_inbound is None:
            raise RuntimeError("no sms_inbound function to deliver replies to")
        return self.deliver_inbound(inbound_sms_event(sender, text))

    # --- the outbox ------------------------------------------------------------------------------

    def outbox(self) -> list[SentMessage]:
        """Every message sent so far, oldest first: SMS and voice as recorded, email and push from moto."""
        sent = [*self._sms_voice(), *self._emails(), *self._pushes()]
        return sorted(sent, key=lambda m: m.at or datetime.max.replace(tzinfo=UTC))

    def _sms_voice(self) -> list[SentMessage]:
        with self._lock:
            accepted = list(self._accepted.values())
        return [_sms_voice_message(request) for request in accepted]

    def _emails(self) -> list[SentMessage]:
        from moto.ses.models import ses_backends

        sent = list(ses_backends[ACCOUNT][REGION].sent_messages)
        return [m for message in sent for m in self._email_messages(message)]

    def _email_messages(self, message: Any) -> list[SentMessage]:
        if not hasattr(message, "subject"):  # raw and templated mail: Klaxon sends neither
            return []
        at = self._sent_at.get(message.id)
        return [
            SentMessage(Channel.EMAIL, to, message.subject, message.body, message.id, at)
            for to in message.destinations.get("ToAddresses", [])
        ]

    def _pushes(self) -> list[SentMessage]:
        from moto.sns.models import sns_backends

        endpoints = list(sns_backends[ACCOUNT][REGION].platform_endpoints.values())
        return [
            self._push_message(endpoint, message_id, body)
            for endpoint in endpoints
            for message_id, body in list(endpoint.messages.items())
        ]

    def _push_message(self, endpoint: Any, message_id: str, body: str) -> SentMessage:
        try:
            text = str(json.loads(body).get("default", body))
        except (ValueError, AttributeError):
            text = body
        return SentMessage(
            Channel.PUSH, endpoint.token, text, body, message_id, self._sent_at.get(message_id)
        )

    def _find(self, message_id: str) -> SentMessage | None:
        """The message sent under `message_id`, looked up where it is kept (not a walk of the outbox)."""
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends

        with self._lock:
            request = self._accepted.get(message_id)
        if request is not None:
            return _sms_voice_message(request)
        for endpoint in list(sns_backends[ACCOUNT][REGION].platform_endpoints.values()):
            body = endpoint.messages.get(message_id)
            if body is not None:
                return self._push_message(endpoint, message_id, body)
        for message in reversed(list(ses_backends[ACCOUNT][REGION].sent_messages)):  # the newest is sought
            if getattr(message, "id", None) == message_id:
                return next(iter(self._email_messages(message)), None)
        return None

    # --- the botocore hooks ----------------------------------------------------------------------

    def answer(self, operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """What End User Messaging answers to `operation`: (HTTP status, parsed body)."""
        now = datetime.now(UTC)
        if self.unreachable:
            raise EndpointConnectionError(endpoint_url=_SMS_VOICE_ENDPOINT)
        status, error = self._refusal(operation, params)
        message_id = None if error else str(uuid.uuid4())
        with self._lock:
            code = error["Code"] if error else None
            request = SmsVoiceRequest(operation, params, now, message_id, code)
            self.requests.append(request)
            if message_id:
                self._sent_at[message_id] = now
                self._accepted[message_id] = request
        if error:
            return status, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}
        return 200, {"MessageId": message_id, "ResponseMetadata": {"HTTPStatusCode": 200}}

    def _refusal(self, operation: str, params: dict[str, Any]) -> tuple[int, dict[str, str] | None]:
        if operation not in _SENDS:
            return 400, {"Code": "ValidationException", "Message": f"{operation} is not emulated locally"}
        origination = params.get("OriginationIdentity")
        if origination is not None and origination not in self.originations:
            return 404, {"Code": "ResourceNotFoundException", "Message": f"no origination {origination}"}
        if params.get("DestinationPhoneNumber") in self.opted_out:
            reason = "DESTINATION_PHONE_NUMBER_OPTED_OUT"
            return 409, {"Code": "ConflictException", "Message": f"Conflict: {reason}", "Reason": reason}
        return 200, None

    def announce(self, message_id: str) -> None:
        """Tell the listeners about a message that was just accepted."""
        with self._lock:
            self._sent_at.setdefault(message_id, datetime.now(UTC))
            if message_id in self._announced or not self._listeners:  # a session may carry the hook twice
                return
            self._announced.add(message_id)
        found = self._find(message_id)
        if found is not None:
            for listener in self._listeners:
                listener(found)


def _sms_voice_message(request: SmsVoiceRequest) -> SentMessage:
    channel = _SENDS[request.operation]
    body = str(request.params.get("MessageBody", ""))
    text = spoken(body) if channel is Channel.VOICE else body
    to = str(request.params["DestinationPhoneNumber"])
    return SentMessage(channel, to, text, body, str(request.message_id), request.at)


class _Active:
    """The hooks are installed once per process; they serve the messaging of the running platform."""

    messaging: LocalMessaging | None = None
    installed = False


def _answer_sms_voice(model: Any, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    body = params.get("body") or b"{}"
    request = json.loads(body.decode() if isinstance(body, bytes) else body)
    messaging = _Active.messaging
    if messaging is None:  # loaded by a local process, so nothing may reach the real service
        error = {"Code": "AccessDeniedException", "Message": "no local platform is running"}
        return AWSResponse(_SMS_VOICE_ENDPOINT, 403, {}, None), {"Error": error}
    status, parsed = messaging.answer(model.name, request)
    return AWSResponse(_SMS_VOICE_ENDPOINT, status, {}, None), parsed


def _announce_sent(http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
    messaging = _Active.messaging
    if messaging is not None and http_response.status_code < 300 and parsed.get("MessageId"):
        messaging.announce(str(parsed["MessageId"]))


_HANDLERS = (
    (f"before-call.{SMS_VOICE}", _answer_sms_voice),
    (f"after-call.{SMS_VOICE}", _announce_sent),
    ("after-call.sesv2.SendEmail", _announce_sent),
    ("after-call.sns.Publish", _announce_sent),
)


def _install_hooks() -> None:
    """Register the handlers on boto3's default session and on every session created from now on."""
    import boto3
    from botocore.handlers import BUILTIN_HANDLERS

    if not _Active.installed:
        BUILTIN_HANDLERS.extend(_HANDLERS)
        _Active.installed = True
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    for event, handler in _HANDLERS:
        boto3.DEFAULT_SESSION.events.register(event, handler, unique_id=f"klaxon-{event}")


class PagePrinter:
    """Prints each page as it is sent, one line: time, channel, user, address, text (`klaxon up`)."""

    def __init__(self, stream: IO[str], users: Callable[[], dict[str, str]]) -> None:
        self.stream = stream
        self.users = users  # address -> user id

    def __call__(self, message: SentMessage) -> None:
        at = (message.at or datetime.now(UTC)).astimezone().strftime("%H:%M:%S")
        user = self.users().get(message.to, "?")
        text = _SPACES.sub(" ", message.text.replace("\n", " / "))
        text = text if len(text) <= PRINTED_TEXT_MAX else text[: PRINTED_TEXT_MAX - 3] + "..."
        print(f"{at}  {message.channel.value:<5}  {user:<8}  {message.to:<22}  {text}", file=self.stream)
        self.stream.flush()


def addresses_from_config() -> dict[str, str]:
    """Every contact method's address to its user, from the applied configuration."""
    from klaxon import wiring

    return dict(wiring.container().config_views.contact_addresses())

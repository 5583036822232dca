"""The paging channels on AWS: SMS and voice (End User Messaging), email (SES v2), push (SNS mobile push).

SMS goes through End User Messaging (pinpoint-sms-voice-v2) rather than SNS: the replies that acknowledge
("ack 12") need a two-way origination number there anyway, voice calls need the same service, and each
message carries its incident in `Context`, which reaches the delivery events. SNS stays for mobile push.
Every provider error becomes DeliveryFailed; the escalation step retries with backoff, then records it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from klaxon.adapters.aws import client
from klaxon.domain.paging.messages import email_message, push_message, sms_text, voice_ssml
from klaxon.domain.paging.pages import DeliveryFailed, Page
from klaxon.domain.paging.policy import Channel
from klaxon.ports import Notifier
from klaxon.settings import Settings

log = logging.getLogger(__name__)

# Named in the errors an unconfigured channel gives, so the fix is in the message.
VOICE_ORIGINATION_ENV = Settings.env_name("voice_origination")
EMAIL_FROM_ENV = Settings.env_name("email_from")
PUSH_APPLICATION_ENV = Settings.env_name("push_application_arn")


@contextmanager
def provider_errors(channel: Channel) -> Iterator[None]:
    """Turn what boto3 raises (refusals, throttling, unreachable endpoints) into DeliveryFailed."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise DeliveryFailed(f"{channel}: {error.get('Code', 'Error')}: {error.get('Message', '')}") from exc
    except BotoCoreError as exc:  # EndpointConnectionError, timeouts, parameter validation
        raise DeliveryFailed(f"{channel}: {exc}") from exc


def _context(page: Page) -> dict[str, str]:
    # Logged with the delivery events, so a failed delivery can be traced back to its page.
    return {"incident": page.incident_id, "step": str(page.step), "loop": str(page.loop), "user": page.user}


class SmsNotifier:
    """One transactional SMS, from the two-way number replies come back to."""

    def __init__(self, origination: str | None) -> None:
        self.origination = origination

    def send(self, page: Page) -> str:
        params = {
            "DestinationPhoneNumber": page.address,
            "MessageBody": sms_text(page),
            "MessageType": "TRANSACTIONAL",
            "Context": _context(page),
        }
        if self.origination:
            params["OriginationIdentity"] = self.origination
        with provider_errors(Channel.SMS):
            return str(client("pinpoint-sms-voice-v2").send_text_message(**params)["MessageId"])


class SmsReplier:
    """A plain SMS back to a phone that replied, from the same two-way number."""

    def __init__(self, origination: str | None) -> None:
        self.origination = origination

    def reply(self, to: str, text: str) -> None:
        params = {"DestinationPhoneNumber": to, "MessageBody": text, "MessageType": "TRANSACTIONAL"}
        if self.origination:
            params["OriginationIdentity"] = self.origination
        with provider_errors(Channel.SMS):
            client("pinpoint-sms-voice-v2").send_text_message(**params)


class VoiceNotifier:
    """A phone call reading the page's SSML (End User Messaging needs a voice-capable origination)."""

    def __init__(self, origination: str | None) -> None:
        self.origination = origination

    def send(self, page: Page) -> str:
        if not self.origination:
            raise DeliveryFailed(f"voice: no origination identity is configured ({VOICE_ORIGINATION_ENV})")
        with provider_errors(Channel.VOICE):
            answer = client("pinpoint-sms-voice-v2").send_voice_message(
                DestinationPhoneNumber=page.address,
                OriginationIdentity=self.origination,
                MessageBody=voice_ssml(page),
                MessageBodyTextType="SSML",
                Context=_context(page),
            )
        return str(answer["MessageId"])


class EmailNotifier:
    """An email with plain-text and HTML bodies, the HTML one carrying the one-click acknowledge link."""

    def __init__(self, sender: str | None) -> None:
        self.sender = sender

    def send(self, page: Page) -> str:
        if not self.sender:
            raise DeliveryFailed(f"email: no sender address is configured ({EMAIL_FROM_ENV})")
        content = email_message(page)
        with provider_errors(Channel.EMAIL):
            answer = client("sesv2").send_email(
                FromEmailAddress=self.sender,
                Destination={"ToAddresses": [page.address]},
                Content={
                    "Simple": {
                        "Subject": {"Data": content.subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": content.text, "Charset": "UTF-8"},
                            "Html": {"Data": content.html, "Charset": "UTF-8"},
                        },
                    }
                },
            )
        return str(answer["MessageId"])


def push_payload(page: Page) -> str:
    """SNS's per-platform message (MessageStructure=json): APNs and FCM alerts plus the incident data."""
    content = push_message(page)
    data = {"incident_id": page.incident_id, "incident_number": str(page.incident_number)}
    if page.ack_url:
        data["ack_url"] = page.ack_url
    apns = {
        "aps": {
            "alert": {"title": content.title, "body": content.body},
            "sound": "default",
            "interruption-level": "time-sensitive",
        },
        **data,
    }
    fcm = {"notification": {"title": content.title, "body": content.body}, "data": data, "priority": "high"}
    return json.dumps(
        {
            "default": f"{content.title}: {content.body}",
            "APNS": json.dumps(apns),
            "APNS_SANDBOX": json.dumps(apns),
            "GCM": json.dumps(fcm),
        }
    )


class PushNotifier:
    """A mobile push: the device token (the contact method's address) becomes an SNS endpoint, then publish.

    Each token's endpoint is kept per container, as AWS advises (create it once, keep its ARN): a page
    makes one call to SNS, not two. A publish to a kept endpoint that fails (deleted, disabled since)
    forgets it and asks SNS again, which returns the token's endpoint or makes a new one: what a page
    without the kept ARN would have done.
    """

    KEPT = 10_000  # tokens remembered per container; past this the memory starts afresh

    def __init__(self, application_arn: str | None) -> None:
        self.application_arn = application_arn
        self._endpoints: dict[str, str] = {}

    def send(self, page: Page) -> str:
        if not self.application_arn:
            raise DeliveryFailed(f"push: no platform application is configured ({PUSH_APPLICATION_ENV})")
        sns = client("sns")
        with provider_errors(Channel.PUSH):
            kept = self._endpoints.get(page.address)
            if kept is not None:
                try:
                    return _publish(sns, kept, page)
                except ClientError as exc:
                    if not _endpoint_gone(exc):
                        raise  # throttled, refused: as it would fail after a fresh endpoint too
                    log.info("push endpoint of %s gone (%s): asking SNS again", page.user, exc)
                    self._endpoints.pop(page.address, None)
            endpoint = sns.create_platform_endpoint(
                PlatformApplicationArn=self.application_arn, Token=page.address
            )["EndpointArn"]
            message_id = _publish(sns, endpoint, page)
        if len(self._endpoints) >= self.KEPT:
            self._endpoints.clear()
        self._endpoints[page.address] = endpoint
        return message_id


def _endpoint_gone(error: ClientError) -> bool:
    """A kept endpoint that SNS deleted or disabled (APNs or FCM invalidated the token) since."""
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    return code in ("EndpointDisabled", "NotFound") or (
        code == "InvalidParameter" and "endpoint" in message.lower()
    )


def _publish(sns: Any, endpoint: str, page: Page) -> str:
    answer = sns.publish(TargetArn=endpoint, Message=push_payload(page), MessageStructure="json")
    return str(answer["MessageId"])


class ChannelNotifier:
    """The Notifier for every channel: sends each page through the notifier of `page.channel`."""

    def __init__(self, by_channel: Mapping[Channel, Notifier]) -> None:
        self.by_channel = dict(by_channel)

    @classmethod
    def from_settings(cls, settings: Settings, chat: Notifier | None = None) -> ChannelNotifier:
        """The AWS channels the settings name, and `chat` for Slack messages (klaxon.adapters.chat_pages)."""
        channels: dict[Channel, Notifier] = {
            Channel.PUSH: PushNotifier(settings.push_application_arn),
            Channel.SMS: SmsNotifier(settings.sms_origination),
            Channel.VOICE: VoiceNotifier(settings.voice_origination),
            Channel.EMAIL: EmailNotifier(settings.email_from),
        }
        if chat is not None:
            channels[Channel.SLACK] = chat
        return cls(channels)

    def notifier_for(self, channel: Channel) -> Notifier:
        try:
            return self.by_channel[channel]
        except KeyError:
            raise DeliveryFailed(f"{channel}: no notifier for this channel") from None

    def send(self, page: Page) -> str:
        return self.notifier_for(page.channel).send(page)

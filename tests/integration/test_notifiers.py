"""Each paging channel through its AWS API under the local platform: the message lands in the outbox."""

from __future__ import annotations

import io
import json

import pytest

from klaxon.adapters.notifiers import (
    ChannelNotifier,
    EmailNotifier,
    PushNotifier,
    SmsNotifier,
    VoiceNotifier,
)
from klaxon.domain.incident.models import Priority
from klaxon.domain.paging.pages import DeliveryFailed, Page
from klaxon.domain.paging.policy import Channel
from klaxon.local.messaging import LOCAL_ORIGINATION, PagePrinter

ADDRESSES = {
    Channel.SMS: "+15550101001",
    Channel.VOICE: "+15550101001",
    Channel.EMAIL: "alice@acme.example",
    Channel.PUSH: "alice-phone",
}


def page(channel: Channel, **changes: object) -> Page:
    fields: dict[str, object] = {
        "incident_id": "0f3c",
        "incident_number": 12,
        "title": "Checkout error rate above 5%",
        "service": "checkout",
        "priority": Priority.P1,
        "user": "alice",
        "user_name": "Alice Anders",
        "channel": channel,
        "address": ADDRESSES[channel],
        "step": 0,
        "loop": 0,
        "ack_url": "http://127.0.0.1:8080/a/token",
    }
    return Page.model_validate(fields | changes)


@pytest.fixture
def notifier(platform):
    from klaxon import wiring

    return wiring.container().notifier


def only_message(platform):
    (message,) = platform.messaging.outbox()
    return message


def test_sms_arrives_at_the_phone_with_its_text(platform, notifier):
    message_id = notifier.send(page(Channel.SMS))
    message = only_message(platform)
    assert (message.channel, message.to, message.message_id) == (Channel.SMS, "+15550101001", message_id)
    assert message.text == "Klaxon #12 P1 checkout: Checkout error rate above 5%\nReply ACK 12 or RES 12"


def test_sms_goes_from_the_two_way_number_as_a_transactional_message(platform, notifier):
    notifier.send(page(Channel.SMS))
    (request,) = platform.messaging.requests
    assert request.params["OriginationIdentity"] == LOCAL_ORIGINATION
    assert request.params["MessageType"] == "TRANSACTIONAL"
    assert request.params["Context"]["incident"] == "0f3c"


def test_voice_is_a_call_reading_ssml(platform, notifier):
    notifier.send(page(Channel.VOICE))
    (request,) = platform.messaging.requests
    assert (request.operation, request.params["MessageBodyTextType"]) == ("SendVoiceMessage", "SSML")
    message = only_message(platform)
    assert message.channel is Channel.VOICE
    assert message.text.startswith("This is Klaxon. Incident 12, priority 1, on checkout")


def test_email_arrives_with_the_subject_and_the_ack_link(platform, notifier):
    notifier.send(page(Channel.EMAIL))
    message = only_message(platform)
    assert (message.channel, message.to) == (Channel.EMAIL, "alice@acme.example")
    assert message.text == "[Klaxon] #12 P1 checkout: Checkout error rate above 5%"
    assert 'href="http://127.0.0.1:8080/a/token"' in message.body


def test_push_reaches_the_endpoint_of_the_device_token(platform, notifier):
    notifier.send(page(Channel.PUSH))
    message = only_message(platform)
    assert (message.channel, message.to) == (Channel.PUSH, "alice-phone")
    assert message.text == "#12 P1 checkout: Checkout error rate above 5%"
    fcm = json.loads(json.loads(message.body)["GCM"])
    assert fcm["data"] == {
        "incident_id": "0f3c",
        "incident_number": "12",
        "ack_url": page(Channel.PUSH).ack_url,
    }


def test_a_device_keeps_one_endpoint_across_pages(platform, notifier):
    from moto.sns.models import sns_backends

    from klaxon.local.emulation import ACCOUNT, REGION

    notifier.send(page(Channel.PUSH))
    notifier.send(page(Channel.PUSH, step=1))
    assert len(sns_backends[ACCOUNT][REGION].platform_endpoints) == 1
    assert len(platform.messaging.outbox()) == 2


def test_a_device_s_endpoint_is_made_once_and_again_when_it_is_gone(platform, notifier, monkeypatch):
    from moto.sns.models import sns_backends

    from klaxon.local.emulation import ACCOUNT, REGION

    sns = sns_backends[ACCOUNT][REGION]
    made = []
    create = sns.create_platform_endpoint
    monkeypatch.setattr(sns, "create_platform_endpoint", lambda *a, **k: made.append(1) or create(*a, **k))
    notifier.send(page(Channel.PUSH))
    notifier.send(page(Channel.PUSH, step=1))
    assert len(made) == 1  # the second page published to the endpoint kept from the first
    assert len(platform.messaging.outbox()) == 2

    (endpoint,) = sns.platform_endpoints
    sns.delete_endpoint(endpoint)  # the app was uninstalled and the endpoint cleaned up
    notifier.send(page(Channel.PUSH, step=2))

    assert len(made) == 2 and len(sns.platform_endpoints) == 1
    assert [m.to for m in platform.messaging.outbox()] == ["alice-phone"]  # the new endpoint's page


def test_a_kept_endpoint_is_not_forgotten_for_a_refusal_that_is_not_about_it(platform, notifier, monkeypatch):
    from botocore.exceptions import ClientError
    from moto.sns.models import sns_backends

    from klaxon.local.emulation import ACCOUNT, REGION

    sns = sns_backends[ACCOUNT][REGION]
    notifier.send(page(Channel.PUSH))
    made = []
    create = sns.create_platform_endpoint
    monkeypatch.setattr(sns, "create_platform_endpoint", lambda *a, **k: made.append(1) or create(*a, **k))

    def throttled(*args, **kwargs):
        raise ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish")

    monkeypatch.setattr(sns, "publish", throttled)

    with pytest.raises(DeliveryFailed, match="Throttling"):
        notifier.send(page(Channel.PUSH, step=1))
    assert made == []  # one call, its own error: no new endpoint asked for


# The channels AWS carries; Slack direct messages go through the chat port (test_slack_events.py).
AWS_CHANNELS = [c for c in Channel if c is not Channel.SLACK]


def test_the_channel_notifier_sends_each_page_on_its_own_channel(platform, notifier):
    for channel in AWS_CHANNELS:
        notifier.send(page(channel))
    assert [(m.channel, m.to) for m in platform.messaging.outbox()] == [
        (c, ADDRESSES[c]) for c in AWS_CHANNELS
    ]


def test_an_sms_to_an_opted_out_phone_fails_delivery(platform, notifier):
    platform.messaging.opted_out.add("+15550101001")
    with pytest.raises(DeliveryFailed, match="ConflictException"):
        notifier.send(page(Channel.SMS))
    assert platform.messaging.outbox() == []


def test_an_unreachable_provider_fails_delivery(platform, notifier):
    platform.messaging.unreachable = True
    with pytest.raises(DeliveryFailed, match="Could not connect"):
        notifier.send(page(Channel.VOICE))


def test_a_call_from_a_number_the_account_does_not_own_fails_delivery(platform):
    with pytest.raises(DeliveryFailed, match="ResourceNotFoundException"):
        VoiceNotifier("+15550100999").send(page(Channel.VOICE))


def test_a_call_without_an_origination_number_fails_delivery(platform):
    with pytest.raises(DeliveryFailed, match="KLAXON_VOICE_ORIGINATION"):
        VoiceNotifier(None).send(page(Channel.VOICE))


def test_an_sms_to_a_malformed_number_fails_delivery(platform):
    with pytest.raises(DeliveryFailed, match="sms"):
        SmsNotifier(LOCAL_ORIGINATION).send(page(Channel.SMS, address=""))


def test_email_from_an_unverified_sender_fails_delivery(platform):
    with pytest.raises(DeliveryFailed, match="MessageRejected"):
        EmailNotifier("pages@unverified.example").send(page(Channel.EMAIL))


def test_push_through_an_unknown_application_fails_delivery(platform):
    missing = "arn:aws:sns:us-east-1:123456789012:app/GCM/missing"
    with pytest.raises(DeliveryFailed, match="push"):
        PushNotifier(missing).send(page(Channel.PUSH))


def test_a_channel_without_a_notifier_fails_delivery():
    with pytest.raises(DeliveryFailed, match="email"):
        ChannelNotifier({}).send(page(Channel.EMAIL))


def test_each_page_is_printed_on_one_line_as_it_is_sent(platform, notifier):
    printed = io.StringIO()
    platform.messaging.on_sent(PagePrinter(printed, lambda: {"+15550101001": "alice"}))
    notifier.send(page(Channel.SMS))
    (line,) = printed.getvalue().splitlines()
    assert line.split()[1:4] == ["sms", "alice", "+15550101001"]
    assert line.endswith("Checkout error rate above 5% / Reply ACK 12 or RES 12")

"""CloudWatch alarms over SNS: ALARM triggers, OK resolves, INSUFFICIENT_DATA as configured."""

from __future__ import annotations

import json

import pytest

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import AlertAction, Severity
from klaxon.domain.intake.integration import InsufficientData
from klaxon.domain.intake.sources import Ignored
from klaxon.domain.intake.sources.cloudwatch import envelope, is_sns_url
from tests.fakes.sources import alarm, load
from tests.unit.sources.conftest import parse, parse_alert, ref

ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-rate"


def checkout() -> object:
    return ref("cloudwatch", service="checkout", service_label=None, default_service=None)


def test_an_alarm_triggers_with_the_alarm_arn_as_dedup_key():
    alert = parse_alert("cloudwatch", load("cloudwatch"), checkout())

    assert alert.action is AlertAction.TRIGGER
    assert alert.dedup_key == ARN
    assert alert.service == "checkout"
    assert alert.summary == "checkout-5xx-rate: 5xx rate above 5% on checkout ALB"


def test_the_same_alarm_again_has_the_same_dedup_key():
    first = parse_alert("cloudwatch", alarm("ALARM"), checkout())
    again = parse_alert("cloudwatch", alarm("ALARM"), checkout())

    assert first.dedup_key == again.dedup_key == ARN


def test_ok_resolves_the_alarm():
    alert = parse_alert("cloudwatch", alarm("OK"), checkout())

    assert alert.action is AlertAction.RESOLVE
    assert alert.dedup_key == ARN


def test_insufficient_data_is_ignored_by_default():
    parsed = parse("cloudwatch", alarm("INSUFFICIENT_DATA"), checkout())

    assert isinstance(parsed, Ignored)


@pytest.mark.parametrize(
    ("setting", "action"), [("trigger", AlertAction.TRIGGER), ("resolve", AlertAction.RESOLVE)]
)
def test_insufficient_data_can_trigger_or_resolve(setting, action):
    integration = ref("cloudwatch", insufficient_data=InsufficientData(setting))

    assert parse_alert("cloudwatch", alarm("INSUFFICIENT_DATA"), integration).action is action


def test_insufficient_data_that_triggers_is_a_warning():
    integration = ref("cloudwatch", insufficient_data=InsufficientData.TRIGGER)

    assert parse_alert("cloudwatch", alarm("INSUFFICIENT_DATA"), integration).severity is Severity.WARNING


def test_the_severity_map_gives_alarms_a_severity():
    integration = ref("cloudwatch", severity_map={"ALARM": Severity.CRITICAL})

    assert parse_alert("cloudwatch", alarm("ALARM"), integration).severity is Severity.CRITICAL


def test_metric_and_dimensions_become_labels():
    labels = parse_alert("cloudwatch", load("cloudwatch"), checkout()).labels

    assert labels["namespace"] == "AWS/ApplicationELB"
    assert labels["LoadBalancer"] == "app/checkout/abc123"
    assert labels["region"] == "us-east-1"


def test_a_link_opens_the_alarm_in_the_console():
    (link,) = parse_alert("cloudwatch", load("cloudwatch"), checkout()).links

    assert link.href.endswith("region=us-east-1#alarmsV2:alarm/checkout-5xx-rate")


def test_a_subscription_confirmation_carries_no_alarm():
    body = load("cloudwatch") | {
        "Type": "SubscriptionConfirmation",
        "SubscribeURL": "https://x",
        "Token": "t",
    }

    assert isinstance(parse("cloudwatch", body, checkout()), Ignored)


def test_an_envelope_without_its_signed_fields_lists_each_one():
    body = load("cloudwatch")
    del body["TopicArn"], body["Signature"]

    with pytest.raises(InvalidInput) as caught:
        envelope(body)

    assert {e.split(":")[0] for e in caught.value.errors} == {"'TopicArn'", "'Signature'"}


def test_an_alarm_without_a_state_is_refused_naming_the_field_inside_message():
    body = load("cloudwatch")
    message = json.loads(body["Message"])
    del message["NewStateValue"]
    body["Message"] = json.dumps(message)

    with pytest.raises(InvalidInput) as caught:
        parse("cloudwatch", body, checkout())

    assert caught.value.errors == ["'Message.NewStateValue': Field required"]


def test_a_message_that_is_not_json_is_refused():
    body = load("cloudwatch") | {"Message": "ALARM!"}

    with pytest.raises(InvalidInput, match="CloudWatch alarm is invalid"):
        parse("cloudwatch", body, checkout())


def test_notifications_are_signed_over_snss_canonical_fields_in_order():
    signed = envelope(load("cloudwatch")).string_to_sign().decode().split("\n")

    assert signed[0::2][:6] == ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
    ],
)
def test_an_sns_certificate_url_in_the_topics_region_is_trusted(url):
    assert is_sns_url(url, "us-east-1", path_suffix=".pem")


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.eu-west-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com/cert.txt",
        "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
    ],
)
def test_any_other_certificate_url_is_not_trusted(url):
    assert not is_sns_url(url, "us-east-1", path_suffix=".pem")

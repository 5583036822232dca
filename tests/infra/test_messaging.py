"""Paging channels in the stack: who may send on which channel, and the topic SMS replies arrive on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from klaxon.topology import FUNCTIONS
from tests.infra.conftest import MESSAGING_CONTEXT
from tests.infra.support import function_logical_id, grants, ref, resources_of_type

if TYPE_CHECKING:
    from tests.infra.synth import Synthesized

# Who pages, as the design states it: the escalation step (the API's "escalate now" goes through the bus).
PAGING_FUNCTIONS = {
    "escalation_step",
    "maintenance_reminder",
    "postmortem_draft",
}  # reminders: window and post-mortem owners
ACCOUNT = "arn:<AWS::Partition>:{service}:<AWS::Region>:<AWS::AccountId>:{resource}"
PAGING_GRANTS = {
    ("sms-voice:SendTextMessage", ACCOUNT.format(service="sms-voice", resource="*")),
    ("sms-voice:SendVoiceMessage", ACCOUNT.format(service="sms-voice", resource="*")),
    ("ses:SendEmail", ACCOUNT.format(service="ses", resource="identity/*")),
    ("sns:CreatePlatformEndpoint", ACCOUNT.format(service="sns", resource="app/*")),
    ("sns:Publish", ACCOUNT.format(service="sns", resource="endpoint/*")),
}
MESSAGING_SERVICES = ("sms-voice:", "ses:", "sns:")
# The status page's subscribers get email and nothing else (infra/constructs/statuspage_subscribers.py).
EMAIL_ONLY_FUNCTIONS = {"statuspage_notify"}
EMAIL_GRANTS = {("ses:SendEmail", ACCOUNT.format(service="ses", resource="identity/*"))}
# The SMS reply function texts a refusal back to a phone that was not paged, and sends nothing else.
SMS_REPLY_FUNCTIONS = {"sms_inbound"}
SMS_REPLY_GRANTS = {("sms-voice:SendTextMessage", ACCOUNT.format(service="sms-voice", resource="*"))}


def _function(cfn: dict[str, Any], name: str) -> dict[str, Any]:
    properties: dict[str, Any] = cfn["Resources"][function_logical_id(cfn, name)]["Properties"]
    return properties


def _messaging_grants(cfn: dict[str, Any], name: str) -> set[tuple[str, str]]:
    role = ref(_function(cfn, name)["Role"])
    assert role is not None
    return {grant for grant in grants(cfn, role) if grant[0].startswith(MESSAGING_SERVICES)}


def _inbound_topic(cfn: dict[str, Any]) -> str:
    (topic,) = [
        lid
        for lid, topic in resources_of_type(cfn, "AWS::SNS::Topic").items()
        if topic["Properties"].get("DisplayName") == "Klaxon SMS replies"
    ]
    return topic


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_only_paging_functions_may_send_sms_calls_email_and_push(cfn: dict[str, Any], name: str) -> None:
    expected = EMAIL_GRANTS if name in EMAIL_ONLY_FUNCTIONS else set()
    expected = SMS_REPLY_GRANTS if name in SMS_REPLY_FUNCTIONS else expected
    assert _messaging_grants(cfn, name) == (PAGING_GRANTS if name in PAGING_FUNCTIONS else expected)


def test_push_endpoints_are_created_only_in_the_application_named_in_context(variant: Synthesized) -> None:
    allowed = _messaging_grants(variant.template, "escalation_step")
    application = MESSAGING_CONTEXT["klaxon:pushApplicationArn"]
    assert {r for a, r in allowed if a == "sns:CreatePlatformEndpoint"} == {application}


def test_paging_settings_in_context_reach_the_paging_functions(variant: Synthesized) -> None:
    variables = _function(variant.template, "escalation_step")["Environment"]["Variables"]
    assert {key: variables.get(key) for key in ("KLAXON_SMS_ORIGINATION", "KLAXON_EMAIL_FROM")} == {
        "KLAXON_SMS_ORIGINATION": "+15550100000",
        "KLAXON_EMAIL_FROM": "Klaxon <pages@acme.example>",
    }
    assert variables["KLAXON_PUBLIC_URL"] == "https://klaxon.acme.example"


def test_without_a_public_url_in_context_the_escalation_step_links_to_the_api(cfn: dict[str, Any]) -> None:
    url = _function(cfn, "escalation_step")["Environment"]["Variables"]["KLAXON_PUBLIC_URL"]
    (api,) = resources_of_type(cfn, "AWS::ApiGateway::RestApi")
    assert {"Ref": api} in url["Fn::Join"][1]


def test_the_api_is_not_told_its_own_url_which_would_be_a_cycle(cfn: dict[str, Any]) -> None:
    assert "KLAXON_PUBLIC_URL" not in _function(cfn, "api")["Environment"]["Variables"]


def test_sms_inbound_is_the_one_subscriber_of_the_inbound_sms_topic(cfn: dict[str, Any]) -> None:
    topic = _inbound_topic(cfn)
    subscribers = [
        s["Properties"]
        for s in resources_of_type(cfn, "AWS::SNS::Subscription").values()
        if ref(s["Properties"]["TopicArn"]) == topic
    ]
    assert [(s["Protocol"], ref(s["Endpoint"])) for s in subscribers] == [
        ("lambda", function_logical_id(cfn, "sms_inbound"))
    ]


def test_end_user_messaging_of_this_account_may_publish_replies(cfn: dict[str, Any]) -> None:
    topic = _inbound_topic(cfn)
    (policy,) = [
        p["Properties"]["PolicyDocument"]
        for p in resources_of_type(cfn, "AWS::SNS::TopicPolicy").values()
        if {"Ref": topic} in p["Properties"]["Topics"]
    ]
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert [(s["Principal"], s["Condition"]) for s in allows] == [
        (
            {"Service": "sms-voice.amazonaws.com"},
            {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
        )
    ]


def test_a_reply_sms_inbound_fails_on_is_kept_in_a_queue(cfn: dict[str, Any]) -> None:
    function = function_logical_id(cfn, "sms_inbound")
    (config,) = [
        c["Properties"]
        for c in resources_of_type(cfn, "AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": function}
    ]
    destination = ref(config["DestinationConfig"]["OnFailure"]["Destination"])
    assert cfn["Resources"][destination]["Type"] == "AWS::SQS::Queue"


def test_the_inbound_topic_is_an_output_to_set_on_the_two_way_number(cfn: dict[str, Any]) -> None:
    assert cfn["Outputs"]["InboundSmsTopicArn"]["Value"] == {"Ref": _inbound_topic(cfn)}


def test_the_status_page_notifier_sends_from_the_sender_in_context(variant: Synthesized) -> None:
    variables = _function(variant.template, "statuspage_notify")["Environment"]["Variables"]
    assert variables["KLAXON_EMAIL_FROM"] == "Klaxon <pages@acme.example>"


def test_without_a_public_url_in_context_subscriber_links_point_at_the_api(cfn: dict[str, Any]) -> None:
    url = _function(cfn, "statuspage_notify")["Environment"]["Variables"]["KLAXON_PUBLIC_URL"]
    (api,) = resources_of_type(cfn, "AWS::ApiGateway::RestApi")
    assert {"Ref": api} in url["Fn::Join"][1]

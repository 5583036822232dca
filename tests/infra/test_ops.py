"""Operations: alarms on every failure path, the ops topic, the payload bucket and the stack outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from klaxon.adapters.tables import TABLE_ENV
from klaxon.topology import FUNCTIONS
from tests.infra.support import (
    denies_plain_http,
    environment_refs,
    function_logical_id,
    ref,
    resources_of_type,
    table_logical_ids,
)

if TYPE_CHECKING:
    from aws_cdk.assertions import Match, Template


def _alarms(cfn: dict[str, Any], metric: str) -> list[dict[str, Any]]:
    return [
        a["Properties"]
        for a in resources_of_type(cfn, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["MetricName"] == metric
    ]


def _ops_topic(cfn: dict[str, Any]) -> str:
    (topic,) = [
        lid
        for lid, topic in resources_of_type(cfn, "AWS::SNS::Topic").items()
        if topic["Properties"].get("TopicName") == "klaxon-ops-alarms"
    ]
    return topic


def test_ops_topic_is_named_and_refuses_plain_http(
    template: Template, match: type[Match], cfn: dict[str, Any]
) -> None:
    template.has_resource_properties("AWS::SNS::Topic", {"TopicName": "klaxon-ops-alarms"})
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": _ops_topic(cfn)}],
            "PolicyDocument": denies_plain_http(match),
        },
    )


def test_every_alarm_notifies_the_ops_topic(cfn: dict[str, Any]) -> None:
    alarms = resources_of_type(cfn, "AWS::CloudWatch::Alarm").values()
    assert alarms
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": _ops_topic(cfn)}]


def test_every_function_error_raises_an_alarm(cfn: dict[str, Any]) -> None:
    watched = {
        ref(dimension["Value"])
        for alarm in _alarms(cfn, "Errors")
        for dimension in alarm["Dimensions"]
        if alarm["Namespace"] == "AWS/Lambda" and alarm["Threshold"] == 0
    }
    assert watched == {function_logical_id(cfn, name) for name in FUNCTIONS}


def test_any_message_in_any_dead_letter_queue_raises_an_alarm(cfn: dict[str, Any]) -> None:
    watched = {
        ref(dimension["Value"])
        for alarm in _alarms(cfn, "ApproximateNumberOfMessagesVisible")
        for dimension in alarm["Dimensions"]
        if alarm["ComparisonOperator"] == "GreaterThanThreshold" and alarm["Threshold"] == 0
    }
    queues = resources_of_type(cfn, "AWS::SQS::Queue")
    drained = {q for q, queue in queues.items() if "RedrivePolicy" in queue["Properties"]}  # work queues
    assert drained and watched == set(queues) - drained


def test_alerts_waiting_a_minute_in_a_work_queue_raise_an_alarm(cfn: dict[str, Any]) -> None:
    # A work queue has a dead-letter queue of its own; its messages are the router's work, not failures.
    watched = {
        ref(dimension["Value"])
        for alarm in _alarms(cfn, "ApproximateAgeOfOldestMessage")
        for dimension in alarm["Dimensions"]
        if alarm["Statistic"] == "Maximum" and alarm["Threshold"] == 60
    }
    queues = resources_of_type(cfn, "AWS::SQS::Queue")
    assert watched == {q for q, queue in queues.items() if "RedrivePolicy" in queue["Properties"]}


def test_api_5xx_raises_an_alarm(cfn: dict[str, Any]) -> None:
    (alarm,) = _alarms(cfn, "5XXError")
    assert alarm["Namespace"] == "AWS/ApiGateway"
    (api,) = resources_of_type(cfn, "AWS::ApiGateway::RestApi").values()
    assert alarm["Dimensions"] == [{"Name": "ApiName", "Value": api["Properties"]["Name"]}]
    assert alarm["Threshold"] == 0


def test_payload_bucket_is_private_encrypted_tls_only_expiring_and_logged(
    template: Template, match: type[Match], cfn: dict[str, Any]
) -> None:
    (bucket,) = environment_refs(cfn, "KLAXON_PAYLOAD_BUCKET")
    properties = cfn["Resources"][bucket]["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    rules = properties["LifecycleConfiguration"]["Rules"]
    expiring = {rule.get("Prefix"): rule["ExpirationInDays"] for rule in rules if "ExpirationInDays" in rule}
    assert expiring == {"alerts/": 30}  # oversized details (details/) live as long as their incident
    log_bucket = ref(properties["LoggingConfiguration"]["DestinationBucketName"])
    assert cfn["Resources"][log_bucket]["Type"] == "AWS::S3::Bucket"
    for tls_only in (bucket, log_bucket):
        template.has_resource_properties(
            "AWS::S3::BucketPolicy",
            {
                "Bucket": {"Ref": tls_only},
                "PolicyDocument": denies_plain_http(match),
            },
        )


def test_outputs_give_the_api_url_the_bus_name_and_every_table_name(cfn: dict[str, Any]) -> None:
    outputs = cfn["Outputs"]
    (api,) = resources_of_type(cfn, "AWS::ApiGateway::RestApi")
    (bus,) = resources_of_type(cfn, "AWS::Events::EventBus")
    assert {"Ref": api} in outputs["ApiUrl"]["Value"]["Fn::Join"][1]
    assert outputs["EventBusName"]["Value"] == {"Ref": bus}
    tables = table_logical_ids(cfn)
    for kind in TABLE_ENV:
        assert outputs[f"{kind.capitalize()}TableName"]["Value"] == {"Ref": tables[kind]}


def test_the_cost_model_counts_the_alarms_the_stack_really_has(cfn: dict[str, Any]) -> None:
    from bench.cost_model import PLATFORM_ALARMS

    assert len(resources_of_type(cfn, "AWS::CloudWatch::Alarm")) == PLATFORM_ALARMS

"""The event bus: named, archived, one rule per subscription, and nowhere for a failed event to vanish."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from klaxon.events import SOURCE, SUBSCRIPTIONS, Subscription
from klaxon.topology import FUNCTIONS
from tests.infra.support import (
    denies_plain_http,
    environment_refs,
    function_logical_id,
    ref,
    resources_of_type,
)
from tests.infra.synth import STACK_ID

if TYPE_CHECKING:
    from aws_cdk.assertions import Match, Template

    from tests.infra.synth import Synthesized


def _rule(cfn: dict[str, Any], subscription: Subscription) -> dict[str, Any]:
    (rule,) = [
        r
        for r in resources_of_type(cfn, "AWS::Events::Rule").values()
        if r["Properties"]["Name"] == subscription.name
    ]
    return rule["Properties"]


def test_bus_is_named_klaxon_and_functions_are_told_so(template: Template, cfn: dict[str, Any]) -> None:
    template.has_resource_properties("AWS::Events::EventBus", {"Name": "klaxon"})
    (bus,) = resources_of_type(cfn, "AWS::Events::EventBus")
    assert environment_refs(cfn, "KLAXON_EVENT_BUS") == {bus}


def test_a_second_deployment_named_in_context_collides_with_nothing(variant: Synthesized) -> None:
    named = {
        "AWS::Events::EventBus": ("Name", "klaxon-staging"),
        "AWS::SNS::Topic": ("TopicName", "klaxon-staging-ops-alarms"),
        "AWS::ApiGateway::RestApi": ("Name", "klaxon-staging"),
    }
    for resource_type, (field, name) in named.items():
        # Resources without a name (such as the inbound-SMS topic) get unique ones from CloudFormation.
        (resource,) = [
            r for r in resources_of_type(variant.template, resource_type).values() if field in r["Properties"]
        ]
        assert resource["Properties"][field] == name
    manifest = json.loads((variant.outdir / "manifest.json").read_text())
    assert manifest["artifacts"][STACK_ID]["properties"]["stackName"] == "KlaxonStaging"


def test_bus_archives_every_klaxon_event_for_a_bounded_time(template: Template, cfn: dict[str, Any]) -> None:
    (bus,) = resources_of_type(cfn, "AWS::Events::EventBus")
    template.has_resource_properties(
        "AWS::Events::Archive",
        {
            "SourceArn": {"Fn::GetAtt": [bus, "Arn"]},
            "EventPattern": {"source": [SOURCE]},
            "RetentionDays": 30,
        },
    )


def test_there_is_one_rule_per_subscription(template: Template) -> None:
    template.resource_count_is("AWS::Events::Rule", len(SUBSCRIPTIONS))


@pytest.mark.parametrize("subscription", SUBSCRIPTIONS, ids=lambda s: s.name)
def test_rule_matches_the_subscription_pattern_on_the_klaxon_bus(
    cfn: dict[str, Any], subscription: Subscription
) -> None:
    rule = _rule(cfn, subscription)
    (bus,) = resources_of_type(cfn, "AWS::Events::EventBus")
    assert ref(rule["EventBusName"]) == bus
    assert rule["EventPattern"] == subscription.pattern


@pytest.mark.parametrize("subscription", SUBSCRIPTIONS, ids=lambda s: s.name)
def test_rule_targets_its_function_with_a_dead_letter_queue_and_a_retry_policy(
    cfn: dict[str, Any], subscription: Subscription
) -> None:
    (target,) = _rule(cfn, subscription)["Targets"]
    if subscription.target_kind == "state_machine":
        (machine,) = resources_of_type(cfn, "AWS::StepFunctions::StateMachine")
        assert ref(target["Arn"]) == machine
    elif subscription.queue is not None:
        assert cfn["Resources"][_arn_of(target["Arn"])]["Type"] == "AWS::SQS::Queue"
    else:
        assert ref(target["Arn"]) == function_logical_id(cfn, subscription.target)
    assert cfn["Resources"][ref(target["DeadLetterConfig"]["Arn"])]["Type"] == "AWS::SQS::Queue"
    assert 60 <= target["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 86_400
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0


@pytest.mark.parametrize("target", sorted({s.target for s in SUBSCRIPTIONS if s.target_kind == "function"}))
def test_events_a_subscribed_function_fails_on_land_in_a_queue(cfn: dict[str, Any], target: str) -> None:
    # EventBridge invokes asynchronously: function errors never reach the rule's DLQ, only this one.
    (config,) = [
        c["Properties"]
        for c in resources_of_type(cfn, "AWS::Lambda::EventInvokeConfig").values()
        if ref(c["Properties"]["FunctionName"]) == function_logical_id(cfn, target)
    ]
    destination = ref(config["DestinationConfig"]["OnFailure"]["Destination"])
    assert cfn["Resources"][destination]["Type"] == "AWS::SQS::Queue"


def test_dead_letter_queues_are_encrypted_and_refuse_plain_http(
    template: Template, match: type[Match], cfn: dict[str, Any]
) -> None:
    queues = resources_of_type(cfn, "AWS::SQS::Queue")
    assert queues
    template.all_resources_properties("AWS::SQS::Queue", {"SqsManagedSseEnabled": True})
    for queue in queues:
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": match.array_with([{"Ref": queue}]),
                "PolicyDocument": denies_plain_http(match),
            },
        )


def test_scheduling_a_maintenance_window_publishes_the_status_page(cfn: dict[str, Any]) -> None:
    # The API publishes "Maintenance Window Changed" when a window is added or removed (MaintenanceService).
    (publish,) = [s for s in SUBSCRIPTIONS if s.name == "publish-status-page"]
    rule = _rule(cfn, publish)
    assert "Maintenance Window Changed" in rule["EventPattern"]["detail-type"]
    (target,) = rule["Targets"]
    assert ref(target["Arn"]) == function_logical_id(cfn, "statuspage_publish")


def _arn_of(arn: Any) -> str:
    """The logical id behind a queue's `Fn::GetAtt [id, Arn]`."""
    return str(arn["Fn::GetAtt"][0])


@pytest.mark.parametrize("subscription", [s for s in SUBSCRIPTIONS if s.queue], ids=lambda s: s.name)
def test_a_queued_subscription_is_drained_in_batches_reporting_failed_messages(
    cfn: dict[str, Any], subscription: Subscription
) -> None:
    assert subscription.queue is not None
    (target,) = _rule(cfn, subscription)["Targets"]
    queue_id = _arn_of(target["Arn"])
    queue = cfn["Resources"][queue_id]["Properties"]
    (mapping,) = [
        m["Properties"]
        for m in resources_of_type(cfn, "AWS::Lambda::EventSourceMapping").values()
        if _arn_of(m["Properties"]["EventSourceArn"]) == queue_id
    ]
    assert ref(mapping["FunctionName"]) == function_logical_id(cfn, subscription.target)
    assert mapping["BatchSize"] == subscription.queue.batch_size
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "MaximumBatchingWindowInSeconds" not in mapping  # a lone alert is not held back
    # Pollers capped to the router's reservation: none of its batches is throttled and sent back.
    (function,) = [
        f["Properties"]
        for f_id, f in resources_of_type(cfn, "AWS::Lambda::Function").items()
        if f_id == function_logical_id(cfn, subscription.target)
    ]
    assert mapping["ScalingConfig"]["MaximumConcurrency"] == function["ReservedConcurrentExecutions"]
    assert queue["VisibilityTimeout"] >= 6 * FUNCTIONS[subscription.target].timeout_s
    redrive = queue["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == subscription.queue.max_receives
    assert cfn["Resources"][_arn_of(redrive["deadLetterTargetArn"])]["Type"] == "AWS::SQS::Queue"
    # Only EventBridge may send to it.
    (policy,) = [
        p["Properties"]["PolicyDocument"]
        for p in resources_of_type(cfn, "AWS::SQS::QueuePolicy").values()
        if any(ref(q) == queue_id for q in p["Properties"]["Queues"])
    ]
    senders = [st for st in policy["Statement"] if st["Effect"] == "Allow"]
    assert senders and all(st["Principal"] == {"Service": "events.amazonaws.com"} for st in senders)
    rules = {
        rule_id
        for rule_id, rule in resources_of_type(cfn, "AWS::Events::Rule").items()
        if rule["Properties"]["Name"] == subscription.name
    }
    assert all({_arn_of(st["Condition"]["ArnEquals"]["aws:SourceArn"])} == rules for st in senders)

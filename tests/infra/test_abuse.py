"""Abuse cannot silence paging (issue 12 §6): reserved concurrency for the page path, the optional WAF."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from infra.constructs.functions import RESERVED_CONCURRENCY
from infra.constructs.web_acl import DEFAULT_RATE_LIMIT
from klaxon.topology import FUNCTIONS
from tests.infra.conftest import ABUSE_CONTEXT
from tests.infra.support import function_logical_id, ref, require_program, resources_of_type
from tests.infra.synth import STACK_ID, Synthesized

# What each function reserves by default: the page path and the api's cap; nothing for the rest.
DEFAULT_RESERVED = {"ingest": 20, "router": 20, "escalation_step": 50, "api": 20}
UNRESERVED_FLOOR = 100  # AWS refuses reservations that leave an account fewer than this
ACCOUNT_DEFAULT = 1000


def _reserved(template: dict[str, Any]) -> dict[str, int]:
    found = {}
    for name in FUNCTIONS:
        properties = template["Resources"][function_logical_id(template, name)]["Properties"]
        if "ReservedConcurrentExecutions" in properties:
            found[name] = properties["ReservedConcurrentExecutions"]
    return found


def test_the_page_path_and_the_api_reserve_concurrency_by_default(cfn: dict[str, Any]) -> None:
    assert _reserved(cfn) == DEFAULT_RESERVED
    assert {name: default for name, (_, default) in RESERVED_CONCURRENCY.items()} == DEFAULT_RESERVED


def test_the_default_reservations_deploy_on_an_account_with_the_default_limit() -> None:
    assert ACCOUNT_DEFAULT - sum(DEFAULT_RESERVED.values()) >= UNRESERVED_FLOOR


def test_a_context_option_changes_or_removes_a_reservation(hardened: Synthesized) -> None:
    assert _reserved(hardened.template) == {"ingest": 20, "router": 35, "escalation_step": 50}


def test_a_reservation_must_be_a_positive_number(tmp_path: Any) -> None:
    from tests.infra.synth import synthesize

    with pytest.raises(ValueError, match="klaxon:routerConcurrency is a number of executions"):
        synthesize(tmp_path, nag=False, context={"klaxon:routerConcurrency": "0"}, layer_dir=tmp_path / "x")


def test_no_web_acl_without_the_context_option(cfn: dict[str, Any]) -> None:
    assert resources_of_type(cfn, "AWS::WAFv2::WebACL") == {}
    assert resources_of_type(cfn, "AWS::WAFv2::WebACLAssociation") == {}


def _web_acl(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ((logical_id, acl),) = resources_of_type(template, "AWS::WAFv2::WebACL").items()
    return logical_id, acl["Properties"]


def test_the_web_acl_holds_aws_managed_rules_and_a_rate_per_ip(hardened: Synthesized) -> None:
    _, acl = _web_acl(hardened.template)
    assert acl["Scope"] == "REGIONAL"
    assert acl["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert set(rules) == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "RatePerIp"}
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        statement = rules[group]["Statement"]["ManagedRuleGroupStatement"]
        assert (statement["VendorName"], statement["Name"]) == ("AWS", group)
    common = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    counted = {o["Name"] for o in common["RuleActionOverrides"] if o["ActionToUse"] == {"Count": {}}}
    assert counted == {"SizeRestrictions_BODY", "NoUserAgent_HEADER"}  # alerts may be big, tools UA-less
    rate = rules["RatePerIp"]
    assert rate["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP",
        "Limit": int(ABUSE_CONTEXT["klaxon:wafRateLimit"]),
        "EvaluationWindowSec": 300,
    }
    response = rate["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    assert response["ResponseHeaders"] == [{"Name": "Retry-After", "Value": "300"}]
    assert len({rule["Priority"] for rule in acl["Rules"]}) == len(rules)


def test_the_default_rate_per_ip_stays_above_what_the_stage_lets_one_sender_send() -> None:
    assert DEFAULT_RATE_LIMIT / 300 >= 10  # requests a second per address, sustained


def test_the_web_acl_is_associated_with_the_api_stage(hardened: Synthesized) -> None:
    acl_id, _ = _web_acl(hardened.template)
    ((_, association),) = resources_of_type(hardened.template, "AWS::WAFv2::WebACLAssociation").items()
    (stage_id,) = resources_of_type(hardened.template, "AWS::ApiGateway::Stage")
    assert ref(association["Properties"]["WebACLArn"]) == acl_id
    assert stage_id in str(association["Properties"]["ResourceArn"])


def test_the_hardened_stack_passes_cdk_nag_and_cfn_lint(hardened: Synthesized) -> None:
    assert hardened.nag_failure is None, hardened.nag_failure
    template = hardened.outdir / f"{STACK_ID}.template.json"
    result = subprocess.run(
        [require_program("cfn-lint"), "--ignore-checks", "W3005", "--", str(template)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

"""An optional WAF web ACL on the API stage (`-c klaxon:waf=true`): AWS's managed rules and a rate per IP."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.naming import pascal_case

WAF_CONTEXT = "klaxon:waf"
RATE_CONTEXT = "klaxon:wafRateLimit"
# Requests per IP address in 5 minutes: 10 a second on average. The stage allows 100 a second in all,
# and PagerDuty-style senders stay under 120 events a minute per key, so one monitoring host (or a NAT
# in front of several) has room for a storm, and a single flooding address is blocked at the edge.
DEFAULT_RATE_LIMIT = 3000
RATE_WINDOW_SECONDS = 300
MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
# Rules of the common rule set that would block honest alerts, so they only count: alert bodies may be up
# to 512 KB (the rule blocks over 8 KB), and some monitoring tools send no User-Agent.
COUNTED_ONLY = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY", "NoUserAgent_HEADER")}
THROTTLED_BODY = "throttled"


def waf_enabled(scope: Construct) -> bool:
    return str(scope.node.try_get_context(WAF_CONTEXT) or "false").strip().lower() == "true"


class WebAcl(Construct):
    """A regional web ACL associated with the API's stage. Allows by default; blocks what the rules match."""

    def __init__(self, scope: Construct, construct_id: str, *, name: str, stage: apigateway.Stage) -> None:
        super().__init__(scope, construct_id)
        rate_limit = int(self.node.try_get_context(RATE_CONTEXT) or DEFAULT_RATE_LIMIT)
        rules = [self._managed(group, priority) for priority, group in enumerate(MANAGED_RULE_GROUPS)]
        rules.append(self._rate_per_ip(rate_limit, priority=len(rules)))
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{name}-api",
            description="Klaxon API: AWS managed common and known-bad-inputs rules, and a rate per IP",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{pascal_case(name)}Api"),
            custom_response_bodies={
                THROTTLED_BODY: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content='{"message":"Too Many Requests"}'
                )
            },
            rules=rules,
        )
        wafv2.CfnWebACLAssociation(
            self, "StageAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )

    def _managed(self, group: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
        return wafv2.CfnWebACL.RuleProperty(
            name=group,
            priority=priority,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),  # the group's own actions
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS",
                    name=group,
                    rule_action_overrides=[
                        wafv2.CfnWebACL.RuleActionOverrideProperty(
                            name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                        )
                        for rule in COUNTED_ONLY.get(group, ())
                    ]
                    or None,
                )
            ),
            visibility_config=_visibility(group),
        )

    def _rate_per_ip(self, limit: int, priority: int) -> wafv2.CfnWebACL.RuleProperty:
        """Past `limit` requests in 5 minutes an address gets 429 with Retry-After, as Klaxon's own limits."""
        blocked = wafv2.CfnWebACL.BlockActionProperty(
            custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                response_code=429,
                custom_response_body_key=THROTTLED_BODY,
                response_headers=[
                    wafv2.CfnWebACL.CustomHTTPHeaderProperty(
                        name="Retry-After", value=str(RATE_WINDOW_SECONDS)
                    )
                ],
            )
        )
        return wafv2.CfnWebACL.RuleProperty(
            name="RatePerIp",
            priority=priority,
            action=wafv2.CfnWebACL.RuleActionProperty(block=blocked),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP", limit=limit, evaluation_window_sec=RATE_WINDOW_SECONDS
                )
            ),
            visibility_config=_visibility("RatePerIp"),
        )


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )

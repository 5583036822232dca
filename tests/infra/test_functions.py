"""Lambda functions: one per topology entry, one asset, and a least-privilege role each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from klaxon.adapters.tables import TABLE_ENV
from klaxon.topology import FUNCTIONS
from tests.infra.support import (
    as_list,
    environment_refs,
    function_logical_id,
    grants,
    ref,
    resources_of_type,
    table_logical_ids,
)

if TYPE_CHECKING:
    from aws_cdk.assertions import Match, Template

    from tests.infra.synth import Synthesized

# What each function may do, as the design states it (infra.permissions is the implementation).
TABLES_READ = {
    "ingest": {"config", "dedup"},  # dedup: the delivery memory (replayed acknowledges and resolves)
    "router": {"incidents", "dedup", "timeline", "config"},
    "api": {"incidents", "dedup", "timeline", "config", "notifications"},
    "sms_inbound": {"incidents", "timeline", "config", "notifications"},  # notifications: who was paged
    "statuspage_publish": {"config", "timeline"},  # public status incidents; their updates on the timeline
    "statuspage_notify": {"config"},  # subscribers, deliveries, public incidents, the link secret
    "escalation_step": {"incidents", "timeline", "notifications", "config"},  # config: policies, overrides
    "escalation_stop": {"config"},  # the policy's acknowledgement timeout
    # triggered incidents, their claims and round ends, policies; restorations on the timeline
    "escalation_sweeper": {"incidents", "notifications", "config", "timeline"},
    "heartbeat_check": {"config"},  # heartbeats and their last pings
    "maintenance_reminder": {"incidents", "timeline", "config"},  # windows, reminders sent, release
    "outbox_relay": set(),  # it reads the incidents table's stream, never the table
    "chat_sync": {"incidents", "config", "timeline"},  # room records in config; the log chat's timeline
    "postmortem_draft": {"incidents", "timeline", "config"},  # the draft's sources; the draft in config
    # /klaxon ack, resolve, note, declare, escalate (the last tick: notifications); status updates
    "slack": {"incidents", "dedup", "timeline", "config", "notifications"},
    "sla_check": {"config", "incidents", "timeline"},  # alert-driven SLOs; the log chat's room messages
    "action_sync": {"config"},  # post-mortems and the ticket index
    "tracker_webhooks": {"config"},  # the same, and Asana's handshake secrets
}
TABLES_WRITTEN = {
    "ingest": {"dedup"},
    "router": {"incidents", "dedup", "timeline", "config"},
    "api": {"incidents", "dedup", "timeline", "config"},  # dedup: drills open incidents
    "sms_inbound": {"incidents", "timeline"},
    "statuspage_publish": {"config", "timeline"},
    "statuspage_notify": {"config"},
    "escalation_step": {"incidents", "timeline", "notifications"},
    "escalation_stop": set(),
    # re-triggers an incident whose ack timer was lost; marks the open incidents kept from before inhibition's
    # index (the incidents, and the mark under live-index)
    "escalation_sweeper": {"incidents", "timeline", "config"},
    "heartbeat_check": {"config"},
    "maintenance_reminder": {"incidents", "timeline", "config"},
    "outbox_relay": set(),
    "chat_sync": {"config", "timeline"},
    "postmortem_draft": {"config"},
    "slack": {"incidents", "dedup", "timeline", "config"},
    "sla_check": {"config", "timeline"},
    "action_sync": {"config"},
    "tracker_webhooks": {"config"},
}
# The config-table partitions each writer may write (dynamodb:LeadingKeys); None: all of them.
CONFIG_PARTITIONS = {
    "router": {"counter"},
    "api": {
        "config",
        "postmortem",
        "integration",
        "api-token",
        "counter",
        "feed-version",
        "override#*",
        "maintenance-window",
        "status-incident",
        "status-subscriber",
        "status-last-delivery",
        "heartbeat",
        "live-index",
    },
    "statuspage_publish": {"status-incident", "status-render"},
    "statuspage_notify": {"status-subscriber", "status-last-delivery", "status-delivery#*"},
    "heartbeat_check": {"heartbeat"},
    "escalation_sweeper": {"live-index"},
    "maintenance_reminder": {"maintenance-reminder", "maintenance-window", "live-index"},
    "chat_sync": {"chat-room", "chat-room-of", "chat-group", "live-index"},
    "postmortem_draft": {"postmortem", "action-digest", "live-index"},
    "slack": {"status-incident", "chat-room", "counter"},
    "sla_check": {"sla-alert", "sla-burn"},
    "action_sync": {"postmortem", "action-ticket", "live-index"},
    "tracker_webhooks": {"postmortem", "action-ticket", "tracker-hook"},
}
# The link-signing secret: who reads it (signs or verifies links), who may write a rotated value.
LINK_SECRET = {"api": {"read", "write"}, "escalation_step": {"read"}, "statuspage_notify": {"read"}}
# Ingest parks oversized alerts; the router reads them and parks oversized details; the API shows those.
PAYLOAD_ACTIONS = {
    "ingest": {"s3:PutObject"},
    "router": {"s3:GetObject", "s3:PutObject"},
    "api": {"s3:GetObject"},
    "sms_inbound": set(),
    "statuspage_publish": set(),
    "statuspage_notify": set(),
    "escalation_step": set(),
    "escalation_stop": set(),
    "escalation_sweeper": set(),
    "heartbeat_check": set(),
    "maintenance_reminder": set(),
    "outbox_relay": set(),
    "chat_sync": set(),
    "postmortem_draft": set(),
    "slack": set(),
    "sla_check": set(),
    "action_sync": set(),
    "tracker_webhooks": set(),
}
# They publish no event. Incident events leave only through the outbox relay: every function that changes
# an incident writes its event with the change (statuspage_publish announces the public updates it records;
# the api, status page changes; ingest and heartbeat_check, alerts).
NOT_PUBLISHING = {
    "statuspage_notify",
    "escalation_stop",
    "escalation_sweeper",
    "router",
    "escalation_step",
    "sms_inbound",
    "maintenance_reminder",
    "chat_sync",
    "postmortem_draft",
    "action_sync",
    "tracker_webhooks",
}
WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def _role(cfn: dict[str, Any], name: str) -> str:
    role = ref(cfn["Resources"][function_logical_id(cfn, name)]["Properties"]["Role"])
    assert role is not None
    return role


def _tables_allowing(cfn: dict[str, Any], name: str, action: str) -> set[str]:
    allowed = grants(cfn, _role(cfn, name))
    return {kind for kind, table in table_logical_ids(cfn).items() if (action, f"<{table}>") in allowed}


def test_every_function_in_the_topology_is_deployed_as_specified(cfn: dict[str, Any]) -> None:
    assert len(resources_of_type(cfn, "AWS::Lambda::Function")) == len(FUNCTIONS)
    for name, spec in FUNCTIONS.items():
        properties = cfn["Resources"][function_logical_id(cfn, name)]["Properties"]
        assert properties["Runtime"] == "python3.12"
        assert properties["Architectures"] == ["arm64"]
        assert properties["Timeout"] == spec.timeout_s
        assert properties["MemorySize"] == spec.memory_mb
        assert properties["TracingConfig"] == {"Mode": "Active"}


def test_functions_share_one_code_asset(cfn: dict[str, Any]) -> None:
    codes = {str(f["Properties"]["Code"]) for f in resources_of_type(cfn, "AWS::Lambda::Function").values()}
    assert len(codes) == 1


def test_functions_carry_powertools_settings_and_the_bus_name(template: Template, match: type[Match]) -> None:
    template.all_resources_properties(
        "AWS::Lambda::Function",
        {
            "Environment": {
                "Variables": match.object_like(
                    {
                        "POWERTOOLS_SERVICE_NAME": "klaxon",
                        "POWERTOOLS_METRICS_NAMESPACE": "Klaxon",
                        "LOG_LEVEL": "INFO",
                        "KLAXON_EVENT_BUS": {"Ref": match.any_value()},
                    }
                )
            }
        },
    )


def test_function_logs_expire(cfn: dict[str, Any]) -> None:
    for function in resources_of_type(cfn, "AWS::Lambda::Function").values():
        log_group = cfn["Resources"][ref(function["Properties"]["LoggingConfig"]["LogGroup"])]
        assert log_group["Type"] == "AWS::Logs::LogGroup"
        assert log_group["Properties"]["RetentionInDays"] > 0


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_function_is_told_the_names_of_exactly_the_tables_it_may_use(cfn: dict[str, Any], name: str) -> None:
    variables = cfn["Resources"][function_logical_id(cfn, name)]["Properties"]["Environment"]["Variables"]
    assert {kind for kind, variable in TABLE_ENV.items() if variable in variables} == TABLES_READ[name]


def test_each_function_has_a_role_of_its_own_without_managed_policies(cfn: dict[str, Any]) -> None:
    roles = {_role(cfn, name) for name in FUNCTIONS}
    assert len(roles) == len(FUNCTIONS)
    for role in roles:
        properties = cfn["Resources"][role]["Properties"]
        assert properties["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
            "Service": "lambda.amazonaws.com"
        }
        assert "ManagedPolicyArns" not in properties


def test_no_policy_grants_a_wildcard_action(cfn: dict[str, Any]) -> None:
    actions = [
        action
        for policy in resources_of_type(cfn, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in as_list(statement["Action"])
    ]
    assert actions
    assert [action for action in actions if "*" in action] == []


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_function_reads_only_the_tables_it_needs(cfn: dict[str, Any], name: str) -> None:
    assert _tables_allowing(cfn, name, "dynamodb:GetItem") == TABLES_READ[name]
    assert _tables_allowing(cfn, name, "dynamodb:Query") == TABLES_READ[name]


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_function_writes_only_the_tables_it_owns(cfn: dict[str, Any], name: str) -> None:
    for action in WRITE_ACTIONS:
        assert _tables_allowing(cfn, name, action) == TABLES_WRITTEN[name], action


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_function_may_query_each_incident_index_by_name_when_it_reads_incidents(
    cfn: dict[str, Any], name: str
) -> None:
    incidents = table_logical_ids(cfn)["incidents"]
    indexes = [i["IndexName"] for i in cfn["Resources"][incidents]["Properties"]["GlobalSecondaryIndexes"]]
    allowed = grants(cfn, _role(cfn, name))
    queryable = {index for index in indexes if ("dynamodb:Query", f"<{incidents}>/index/{index}") in allowed}
    assert queryable == (set(indexes) if "incidents" in TABLES_READ[name] else set())


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_function_publishes_to_the_klaxon_bus_only(cfn: dict[str, Any], name: str) -> None:
    (bus,) = environment_refs(cfn, "KLAXON_EVENT_BUS")
    event_grants = {grant for grant in grants(cfn, _role(cfn, name)) if grant[0].startswith("events:")}
    assert event_grants == (set() if name in NOT_PUBLISHING else {("events:PutEvents", f"<{bus}>")})


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_function_touches_the_payload_bucket_only_as_the_claim_check_needs(
    cfn: dict[str, Any], name: str
) -> None:
    s3_grants = {
        grant
        for grant in grants(cfn, _role(cfn, name))
        if grant[0].startswith("s3:") and not grant[1].endswith("/audit/*")  # the audit log: below
    }
    variables = cfn["Resources"][function_logical_id(cfn, name)]["Properties"]["Environment"]["Variables"]
    if not PAYLOAD_ACTIONS[name]:
        assert s3_grants == set()
        assert "KLAXON_PAYLOAD_BUCKET" not in variables
        return
    bucket = ref(variables["KLAXON_PAYLOAD_BUCKET"])
    assert cfn["Resources"][bucket]["Type"] == "AWS::S3::Bucket"
    assert s3_grants == {(action, f"<{bucket}>/*") for action in PAYLOAD_ACTIONS[name]}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_config_writes_are_narrowed_to_the_functions_partitions(cfn: dict[str, Any], name: str) -> None:
    config = table_logical_ids(cfn)["config"]
    found = [
        statement
        for policy in resources_of_type(cfn, "AWS::IAM::Policy").values()
        if _role(cfn, name) in {ref(r) for r in policy["Properties"]["Roles"]}
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "dynamodb:PutItem" in as_list(statement["Action"])
        and any(
            ref(r) == config if isinstance(r, dict) and "Fn::GetAtt" in r else False
            for r in as_list(statement["Resource"])
        )
    ]
    if "config" not in TABLES_WRITTEN[name]:
        assert found == [] and name not in CONFIG_PARTITIONS
        return
    (statement,) = found
    keys = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert set(keys) == CONFIG_PARTITIONS[name]


def test_only_functions_that_must_write_the_config_table_can():
    assert {name for name, kinds in TABLES_WRITTEN.items() if "config" in kinds} == set(CONFIG_PARTITIONS)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_the_link_secret_is_read_by_who_signs_links_and_written_by_the_api_alone(
    cfn: dict[str, Any], name: str
) -> None:
    variables = cfn["Resources"][function_logical_id(cfn, name)]["Properties"]["Environment"]["Variables"]
    if name not in LINK_SECRET:
        assert "KLAXON_LINK_SECRET" not in variables
        return
    secret = ref(variables["KLAXON_LINK_SECRET"])
    actions = {action for action, resource in grants(cfn, _role(cfn, name)) if resource == f"<{secret}>"}
    assert "secretsmanager:GetSecretValue" in actions
    assert ("secretsmanager:PutSecretValue" in actions) == ("write" in LINK_SECRET[name])


PEPPER_READERS = {"api", "ingest"}  # check API tokens (api) and integration and heartbeat keys (both)
AUDIT_WRITERS = {"api"}  # put audit records
SIGNING_SECRETS = {"ingest": "read", "api": "write"}  # verify signatures; apply a config with secrets
READ = {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}


def _env(cfn: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(cfn["Resources"][function_logical_id(cfn, name)]["Properties"]["Environment"]["Variables"])


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_only_the_credential_checkers_read_the_pepper_and_only_the_api_writes_the_audit_log(
    cfn: dict[str, Any], name: str
) -> None:
    api = _env(cfn, "api")
    pepper, bucket = ref(api["KLAXON_PEPPER_SECRET"]), ref(api["KLAXON_AUDIT_BUCKET"])
    allowed = grants(cfn, _role(cfn, name))
    secrets = {action for action, resource in allowed if resource == f"<{pepper}>"}
    audit = {grant for grant in allowed if grant[1].startswith(f"<{bucket}>")}
    variables = _env(cfn, name)
    assert secrets == (READ if name in PEPPER_READERS else set())
    assert ("KLAXON_PEPPER_SECRET" in variables) == (name in PEPPER_READERS)
    assert ("KLAXON_AUDIT_BUCKET" in variables) == (name in AUDIT_WRITERS)
    if name in AUDIT_WRITERS:
        assert audit == {("s3:PutObject", f"<{bucket}>/audit/*")}  # no read, no delete
    else:
        assert audit == set()


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_only_ingest_reads_and_only_the_api_writes_the_integrations_signing_secrets(
    cfn: dict[str, Any], name: str
) -> None:
    secret = ref(_env(cfn, "api")["KLAXON_INTEGRATION_SECRETS"])
    actions = {action for action, resource in grants(cfn, _role(cfn, name)) if resource == f"<{secret}>"}
    assert ("KLAXON_INTEGRATION_SECRETS" in _env(cfn, name)) == (name in SIGNING_SECRETS)
    if name not in SIGNING_SECRETS:
        assert actions == set()
        return
    assert actions >= READ
    assert ("secretsmanager:PutSecretValue" in actions) == (SIGNING_SECRETS[name] == "write")


def test_the_audit_bucket_is_write_once_in_compliance_mode_for_a_year(cfn: dict[str, Any]) -> None:
    variables = cfn["Resources"][function_logical_id(cfn, "api")]["Properties"]["Environment"]["Variables"]
    bucket = cfn["Resources"][ref(variables["KLAXON_AUDIT_BUCKET"])]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    rule = bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert rule == {"Mode": "COMPLIANCE", "Days": 365}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}


def test_code_asset_holds_the_packages_and_none_of_the_tooling(synthesized: Synthesized) -> None:
    (code,) = {
        str(f["Properties"]["Code"]["S3Key"])
        for f in resources_of_type(synthesized.template, "AWS::Lambda::Function").values()
    }
    asset = synthesized.outdir / f"asset.{code.removesuffix('.zip')}"
    entries = {path.name for path in asset.iterdir()}
    assert {"klaxon", "functions"} <= entries
    assert entries.isdisjoint(
        {"cdk.out", "node_modules", "tests", "docs", "bench", "examples", "infra", "build", "app.py"}
    )
    assert [entry for entry in entries if entry.startswith(".")] == []
    shipped = {path.name for path in (asset / "klaxon").iterdir()}
    assert {"domain", "services", "adapters", "http"} <= shipped
    assert shipped.isdisjoint({"local", "cli"})  # local-only code stays out of every function
    assert not any(path.name == "__pycache__" for path in asset.rglob("*"))


def test_no_dependency_layer_without_a_built_one_and_a_warning_says_so(synthesized: Synthesized) -> None:
    assert resources_of_type(synthesized.template, "AWS::Lambda::LayerVersion") == {}
    assert synthesized.report is not None
    warnings = [
        violation["ruleName"]
        for plugin in synthesized.report["pluginReports"]
        for violation in plugin["violations"]
    ]
    assert "Annotation::klaxon:no-dependency-layer" in warnings


def test_a_built_dependency_layer_is_attached_to_every_function(variant: Synthesized) -> None:
    (layer,) = resources_of_type(variant.template, "AWS::Lambda::LayerVersion")
    assert variant.template["Resources"][layer]["Properties"]["CompatibleArchitectures"] == ["arm64"]
    for function in resources_of_type(variant.template, "AWS::Lambda::Function").values():
        assert [ref(layer_ref) for layer_ref in function["Properties"]["Layers"]] == [layer]


def test_layer_asset_is_the_built_folder(variant: Synthesized) -> None:
    (layer,) = resources_of_type(variant.template, "AWS::Lambda::LayerVersion").values()
    asset = variant.outdir / f"asset.{layer['Properties']['Content']['S3Key'].removesuffix('.zip')}"
    assert (asset / "python" / "dependency" / "__init__.py").is_file()


# The Slack app's credentials: the room keeper posts with them, the API reads a room's messages.
SLACK_SECRET_READERS = {"chat_sync", "api", "slack", "escalation_step", "postmortem_draft", "sla_check"}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_only_the_chat_functions_are_told_the_slack_secret(cfn: dict[str, Any], name: str) -> None:
    variables = cfn["Resources"][function_logical_id(cfn, name)]["Properties"]["Environment"]["Variables"]
    assert ("KLAXON_SLACK_SECRET" in variables) == (name in SLACK_SECRET_READERS)


def test_only_the_slack_function_may_invoke_itself(cfn: dict[str, Any]) -> None:
    """Bolt's lazy listeners: the slack function invokes itself asynchronously, and no function may
    invoke any other (the state machine's role invokes escalation_step: not a function's)."""
    function_roles = {_role(cfn, name) for name in FUNCTIONS}
    invokers = {}
    for policy in resources_of_type(cfn, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if "lambda:InvokeFunction" in actions:
                for role in policy["Properties"]["Roles"]:
                    if ref(role) in function_roles:
                        invokers[ref(role)] = statement["Resource"]
    slack = function_logical_id(cfn, "slack")
    assert invokers == {_role(cfn, "slack"): {"Fn::GetAtt": [slack, "Arn"]}}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_only_the_postmortem_function_is_told_the_github_secret(cfn: dict[str, Any], name: str) -> None:
    variables = cfn["Resources"][function_logical_id(cfn, name)]["Properties"]["Environment"]["Variables"]
    assert ("KLAXON_GITHUB_SECRET" in variables) == (name == "postmortem_draft")


TRACKER_SECRET_READERS = {
    "action_sync",
    "tracker_webhooks",
    "postmortem_draft",
}  # Confluence: postmortem_draft


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_only_the_action_item_functions_are_told_the_tracker_secret(cfn: dict[str, Any], name: str) -> None:
    variables = cfn["Resources"][function_logical_id(cfn, name)]["Properties"]["Environment"]["Variables"]
    assert ("KLAXON_TRACKER_SECRET" in variables) == (name in TRACKER_SECRET_READERS)

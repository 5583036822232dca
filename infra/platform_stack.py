"""PlatformStack: Klaxon's data path (API, functions, bus, tables) composed from infra.constructs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.constructs.access_control import AccessControl
from infra.constructs.alarms import OpsAlarms
from infra.constructs.api import Api
from infra.constructs.escalation import Escalation
from infra.constructs.event_bus import EventBus
from infra.constructs.functions import Functions
from infra.constructs.messaging import Messaging
from infra.constructs.outbox import Outbox
from infra.constructs.payload_store import PAYLOAD_RETENTION, PayloadStore
from infra.constructs.statuspage_publisher import StatusPagePublisher
from infra.constructs.statuspage_subscribers import StatusPageSubscribers
from infra.constructs.subscriptions import Subscriptions
from infra.constructs.tables import Tables
from infra.constructs.timers import Timers
from infra.constructs.web_acl import WebAcl, waf_enabled
from infra.naming import pascal_case

REPO_ROOT = Path(__file__).resolve().parent.parent

# `cdk deploy -c klaxon:name=klaxon-staging` makes a second deployment beside the first: the name is
# the bus's, and it names the stack, the API and the ops topic, which must not collide either.
NAME_CONTEXT = "klaxon:name"
LOG_LEVEL_CONTEXT = "klaxon:logLevel"
DEFAULT_NAME = "klaxon"


class PlatformStack(Stack):
    """Everything the alert-to-incident path needs; the status page gets a stack of its own."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code_root: Path = REPO_ROOT,
        layer_dir: Path = REPO_ROOT / "build" / "layer",
        **kwargs: Any,
    ) -> None:
        name = str(scope.node.try_get_context(NAME_CONTEXT) or DEFAULT_NAME)
        kwargs.setdefault("stack_name", pascal_case(name))  # "klaxon-staging" -> "KlaxonStaging"
        super().__init__(scope, construct_id, **kwargs)
        log_level = str(self.node.try_get_context(LOG_LEVEL_CONTEXT) or "INFO")

        tables = Tables(self, "Tables")
        bus = EventBus(self, "EventBus", bus_name=name, archive_retention=PAYLOAD_RETENTION)
        payloads = PayloadStore(self, "PayloadStore")
        functions = Functions(
            self,
            "Functions",
            code_root=code_root,
            layer_dir=layer_dir,
            tables=tables,
            bus=bus.bus,
            payloads=payloads.bucket,
            log_level=log_level,
        )
        escalation = Escalation(
            self,
            "Escalation",
            name=name,
            repo_root=code_root,
            functions=functions.by_name,
            controllers=[functions.by_name["escalation_stop"]],
            sweepers=[functions.by_name["escalation_sweeper"]],
        )
        Outbox(self, "Outbox", table=tables.by_kind["incidents"], relay=functions.by_name["outbox_relay"])
        subscriptions = Subscriptions(
            self,
            "Subscriptions",
            bus=bus.bus,
            functions=functions.by_name,
            state_machines={"escalation": escalation.state_machine},
            reserved=functions.reserved,
        )
        access = AccessControl(self, "AccessControl", functions=functions.by_name)
        StatusPagePublisher(self, "StatusPagePublisher", function=functions.by_name["statuspage_publish"])
        Timers(self, "Timers", functions=functions.by_name)
        api = Api(self, "Api", api_name=name, functions=functions.by_name, web_acl=waf_enabled(self))
        if waf_enabled(self):
            WebAcl(self, "WebAcl", name=name, stage=api.rest_api.deployment_stage)
        messaging = Messaging(self, "Messaging", functions=functions.by_name, api_url=api.rest_api.url)
        notify = functions.by_name["statuspage_notify"]
        StatusPageSubscribers(self, "StatusPageSubscribers", function=notify, api_url=api.rest_api.url)
        OpsAlarms(
            self,
            "OpsAlarms",
            topic_name=f"{name}-ops-alarms",
            functions=functions.by_name,
            dead_letter_queues={**subscriptions.dead_letter_queues, **messaging.dead_letter_queues},
            work_queues=subscriptions.work_queues,
            api=api.rest_api,
            state_machines={"escalation": escalation.state_machine},
        )

        CfnOutput(self, "ApiUrl", value=api.rest_api.url, description="Base URL of the Klaxon API")
        CfnOutput(self, "EventBusName", value=bus.bus.event_bus_name)
        CfnOutput(
            self,
            "TokenPepperArn",
            value=access.pepper.secret_arn,
            description="KLAXON_PEPPER_SECRET for `klaxon token bootstrap` (the first admin token)",
        )
        CfnOutput(self, "AuditBucketName", value=access.audit_bucket.bucket_name)
        CfnOutput(
            self,
            "InboundSmsTopicArn",
            value=messaging.inbound_sms_topic.topic_arn,
            description="Set as the two-way channel of the SMS origination number, so replies acknowledge",
        )
        for kind, table in tables.by_kind.items():
            CfnOutput(self, f"{pascal_case(kind)}TableName", value=table.table_name)

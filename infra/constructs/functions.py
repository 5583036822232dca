"""Every Lambda function of klaxon.topology, built from one code asset, each with its own role."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.tables import Tables
from infra.nag import acknowledge, logical_id
from infra.naming import pascal_case
from infra.permissions import Access, access_of
from klaxon.adapters.tables import TABLE_ENV
from klaxon.settings import Settings
from klaxon.topology import FUNCTIONS, Function

# Reserved concurrency per function: (context option, default). Reserving for the page path (ingest takes
# alerts in, the router opens incidents, escalation_step pages, its notifiers included) guarantees it room
# whatever else runs in the account; the api, which a flood of /v1 calls reaches, is capped by its own
# reservation so it cannot take the unreserved pool the other functions share. The defaults reserve 110:
# AWS refuses reservations that leave fewer than 100 unreserved, and an account has 1,000 by default.
# `none` removes a function's reservation (0 would stop it).
RESERVED_CONCURRENCY: dict[str, tuple[str, int]] = {
    "ingest": ("klaxon:ingestConcurrency", 20),  # the stage's 100 req/s at ~100 ms each needs ~10
    "router": ("klaxon:routerConcurrency", 20),  # its queue's pollers are capped to it (no throttled batch)
    "escalation_step": ("klaxon:escalationStepConcurrency", 50),  # a tick may take seconds; 50 ticks at once
    "api": ("klaxon:apiConcurrency", 20),  # a cap as much as a reservation
}
NO_RESERVATION = ("none", "off", "false")

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.ONE_MONTH

# The asset is the repository root minus everything a function never imports. build/ holds the
# dependency layer, which ships separately; ".*" keeps out .venv, .git, tool caches and any .env file.
ASSET_EXCLUDES = [
    ".*",
    "**/__pycache__",
    "*.pyc",
    "*.egg-info",
    "*.md",
    "app.py",
    "bench",
    "build",
    "cdk.json",
    "cdk.out",
    "dist",
    "docs",
    "examples",
    "infra",
    "klaxon/cli",  # the `klaxon` command runs on people's machines, not in Lambda
    "klaxon/local",  # the local platform (moto, the invoker); make lint proves no handler imports it
    "Makefile",
    "scripts",
    "node_modules",
    "pyproject.toml",
    "tests",
]


class Functions(Construct):
    """Python 3.12 on arm64 with Powertools settings and X-Ray; grants come from infra.permissions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code_root: Path,
        layer_dir: Path,
        tables: Tables,
        bus: events.IEventBus,
        payloads: s3.IBucket,
        log_level: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self._tables = tables
        self._bus = bus
        self._payloads = payloads
        self._log_level = log_level
        self._code = lambda_.Code.from_asset(str(code_root), exclude=ASSET_EXCLUDES)
        self._layers = self._build_dependency_layers(layer_dir)
        self.by_name: dict[str, lambda_.Function] = {
            name: self._build_function(spec, access_of(name)) for name, spec in FUNCTIONS.items()
        }
        # Each function's reserved concurrency (None: none), which a queue's event source must not exceed.
        self.reserved: dict[str, int | None] = {name: self._reserved_concurrency(name) for name in FUNCTIONS}

    def _build_dependency_layers(self, layer_dir: Path) -> list[lambda_.ILayerVersion]:
        # `make deploy` pip-installs the runtime dependencies for arm64/cp312 into build/layer/python
        # first (no Docker bundling). Tests and plain synths have no such folder: the stack still
        # synthesizes, with a warning, and functions deployed from it would lack their dependencies.
        if not (layer_dir / "python").is_dir():
            Annotations.of(self).add_warning_v2(
                "klaxon:no-dependency-layer",
                f"{layer_dir / 'python'} is missing: functions get no dependency layer (run `make deploy`)",
            )
            return []
        layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=lambda_.Code.from_asset(str(layer_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="Klaxon's runtime dependencies (pyproject [project.dependencies])",
        )
        return [layer]

    def _build_function(self, spec: Function, access: Access) -> lambda_.Function:
        name = pascal_case(spec.name)
        role = self._build_role(name, spec)
        function = lambda_.Function(
            self,
            name,
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=self._code,
            layers=self._layers,
            timeout=Duration.seconds(spec.timeout_s),
            memory_size=spec.memory_mb,
            role=role,
            log_group=self._build_log_group(name, role),
            tracing=lambda_.Tracing.ACTIVE,
            environment=self._environment(access),
            reserved_concurrent_executions=self._reserved_concurrency(spec.name),
        )
        self._grant(role, access)
        if access.invokes_itself:
            # A policy of its own, not the role's default one, which the function waits for: the
            # statement names the function, so the default policy would make a cycle.
            iam.Policy(
                self,
                f"{name}InvokesItself",
                roles=[role],
                statements=[
                    iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
                ],
            )
        acknowledge(
            function,
            "AwsSolutions-L1",
            "Pinned to Python 3.12 on purpose: the dependency layer is built for cp312 wheels, so the "
            "runtime and the layer are upgraded together, after the tests run on the new version.",
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level "
            "permissions, so AWS requires Resource '*'.",
        )
        return function

    def _reserved_concurrency(self, function: str) -> int | None:
        """The function's reservation: its context option, else its default; None for none."""
        if function not in RESERVED_CONCURRENCY:
            return None
        context_key, default = RESERVED_CONCURRENCY[function]
        value = self.node.try_get_context(context_key)
        if value is None:
            return default
        if str(value).strip().lower() in NO_RESERVATION:
            return None
        if not str(value).strip().isdigit() or int(value) < 1:
            raise ValueError(f"{context_key} is a number of executions (at least 1) or 'none', not {value!r}")
        return int(value)

    def _build_role(self, name: str, spec: Function) -> iam.Role:
        # One role per function, with no managed policies: each grant below is the whole of its access.
        return iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Klaxon {spec.name} function: {spec.description}",
        )

    def _build_log_group(self, name: str, role: iam.IRole) -> logs.LogGroup:
        log_group = logs.LogGroup(self, f"{name}Logs", retention=LOG_RETENTION)
        log_group.grant(role, "logs:CreateLogStream", "logs:PutLogEvents")
        return log_group

    def _environment(self, access: Access) -> dict[str, str]:
        environment = {
            "POWERTOOLS_SERVICE_NAME": "klaxon",
            "POWERTOOLS_METRICS_NAMESPACE": "Klaxon",
            "LOG_LEVEL": self._log_level,
            Settings.env_name("event_bus"): self._bus.event_bus_name,
        }
        environment |= {TABLE_ENV[kind]: self._tables.by_kind[kind].table_name for kind in access.tables}
        if access.payloads:
            environment[Settings.env_name("payload_bucket")] = self._payloads.bucket_name
        return environment

    def _grant(self, role: iam.Role, access: Access) -> None:
        for kind in access.reads:
            self._tables.grant(role, kind, write=False)
        for kind in access.writes:
            keys = access.config_keys if kind == "config" else None
            self._tables.grant(role, kind, write=True, leading_keys=keys)
        if access.publishes_events:
            self._bus.grant_put_events_to(role)
        if access.payloads:
            self._grant_payloads(role, access.payloads)

    def _grant_payloads(self, role: iam.Role, verbs: tuple[str, ...]) -> None:
        actions = [{"put": "s3:PutObject", "get": "s3:GetObject"}[verb] for verb in verbs]
        action = " and ".join(actions)
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=actions, resources=[self._payloads.arn_for_objects("*")])
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{logical_id(self._payloads)}.Arn>/*]",
            f"{action} on any object of the payload bucket: claim-check keys are alert ids, unknown until "
            "an alert arrives; the bucket holds nothing else.",
        )

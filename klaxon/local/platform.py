"""`klaxon up`: moto in-process, the real tables, bus rules and handlers, and an HTTP front door."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from klaxon.adapters.site_hosting import FolderSite
from klaxon.local import emulation, moto_speed
from klaxon.local.event_source import QueueSource
from klaxon.local.iam import LocalIam
from klaxon.local.invoker import Invoker
from klaxon.local.messaging import LocalMessaging
from klaxon.local.socket_mode import SocketMode
from klaxon.local.state import LocalState, Restored
from klaxon.local.streams import StreamRelay
from klaxon.local.ticker import Ticker
from klaxon.settings import ClientSettings, Settings

log = logging.getLogger("klaxon.local")
ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_TOKEN = "klaxon-dev-token"
STOP_DRAIN_SECONDS = 3.0


@dataclass
class Options:
    config: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    time_scale: float = 1.0
    api_token: str = field(default_factory=lambda: ClientSettings.from_environ().api_token or DEFAULT_TOKEN)
    site_dir: Path | None = None
    data_dir: Path | None = None  # None: everything in memory, gone at stop (`klaxon up --ephemeral`)
    rate_limit_scale: float | None = None  # None: KLAXON_RATE_LIMIT_SCALE, else 1 (the configured limits)
    demo_history: bool = False  # a fresh platform starts with a past incident and its post-mortem


def _random_hex() -> str:
    import secrets

    return secrets.token_hex(32)


def _new_rotatable_secret() -> str:
    import json
    import secrets

    return json.dumps({"current": secrets.token_urlsafe(48)})


class LocalPlatform:
    """Start with `start()`, stop with `stop()`; `url` is the API's base URL once started."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.invoker = Invoker()
        self.messaging = LocalMessaging(
            deliver_inbound=lambda event: self.invoker.invoke("sms_inbound", event)
        )
        self._mock: Any = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.ticker: Ticker | None = None
        self.outbox: StreamRelay | None = None
        # The status page's folder: a temporary one unless given, removed at stop (or at exit): a test run
        # starts hundreds of platforms, and each left ~100 KB in /tmp.
        self._own_site: tempfile.TemporaryDirectory[str] | None = None
        if options.site_dir is None:
            self._own_site = tempfile.TemporaryDirectory(prefix="klaxon-site-")
            self.site_dir = Path(self._own_site.name)
        else:
            self.site_dir = options.site_dir
        self.state = LocalState(options.data_dir) if options.data_dir is not None else None
        self.restored = Restored()
        self.config: Any = None  # the configuration file applied at start, keys in the clear
        self._chat_printer = logging.StreamHandler(sys.stdout)  # the log chat's messages (no Slack)
        self.socket_mode = SocketMode()
        self.queues: dict[str, QueueSource] = {}  # by name: the rules that deliver through a queue

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalPlatform:
        # Locally, metrics would only print EMF blobs; logs stay at WARNING unless asked for.
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        emulation.install(
            self.invoker.invoke_async,
            self._start_execution,
            self.invoker.invoke,
            self.options.time_scale,
            queue_target=lambda queue, event: self.queues[queue].send(event),
        )
        if self.state is not None:
            self.state.open()  # before anything else: a second platform on the folder is refused
        self._mock = emulation.start_mock()
        from klaxon import wiring
        from klaxon.adapters.aws import reset_clients
        from klaxon.local.gateway import make_server

        reset_clients()
        wiring.reset()
        self.invoker.load_handlers()  # before any thread invokes one
        settings = self._create_resources(Settings.from_environ())
        # The status page: the publish function writes it to this folder, the server shows it at /status/,
        # and its JSON at /api/v2/ too, where Statuspage's widget and readers look (they replace the path).
        statics = {"/status/": self.site_dir, "/api/v2/": self.site_dir / "api" / "v2"}
        self._server = make_server(
            self.options.host, self.options.port, self.invoker.invoke, static_dirs=statics
        )  # bound now, so its URL is known; it serves once everything below is ready
        wiring.install(wiring.build(self._local_settings(settings), status_site=self._site))
        emulation.guard(LocalIam(settings).check_write)  # each function writes only what its role may
        if self.state is not None:
            self.restored = self.state.restore()
            emulation.observe(self.state.on_write, self.state.on_wait)
            self.state.start()
        # What the sweeper does in its first minute in AWS, before the first alert here: mark the open
        # incidents kept from before inhibition's index of them (none in fresh tables), so it is read.
        wiring.container().mark_incident_sources()
        if self.options.config is not None:
            self.apply_config_file(self.options.config)
        if self.options.demo_history:
            from klaxon.local import demo_history

            demo_history.seed(wiring.container(), datetime.now(UTC))
        self._start_outbox()  # what the restore and the demo history wrote is history: not relayed
        self._ensure_token()
        self._thread = threading.Thread(target=self._server.serve_forever, name="klaxon-http", daemon=True)
        self._thread.start()
        self.publish_status_page()
        self.socket_mode.start(settings)  # Slack over a WebSocket, when SLACK_APP_TOKEN is set
        # Timers (heartbeat check, maintenance reminders): moto's schedules never fire, so a thread does.
        self.ticker = Ticker(self.invoker.invoke_async, self.invoker.queued).start()
        self._resume()
        moto_speed.freeze_heap()  # what start-up built lives as long as the platform: out of the GC's walk
        return self

    def _start_outbox(self) -> None:
        """The incidents table's stream → outbox_relay → the bus, as the event source mapping in AWS. What
        a restore wrote is not news: its events left before the stop (or wait in a kept invocation)."""
        from klaxon.adapters.tables import table_name

        self.outbox = StreamRelay(table_name("incidents"), "outbox_relay", self.invoker.invoke)
        self.outbox.discard()
        self.outbox.start()

    def _ensure_token(self) -> None:
        """The development token (`klaxon-dev-token` unless given): an admin token, like the first one an
        operator creates in AWS."""
        from klaxon import wiring
        from klaxon.domain.access.roles import Role
        from klaxon.services.access.tokens import NewToken

        development = NewToken(name="local", role=Role.ADMIN, expires_in_days=365)
        wiring.container().token_service.ensure(self.options.api_token, development, created_by="klaxon up")

    def _kept(self, name: str, make: Callable[[], str]) -> str:
        """A secret Secrets Manager holds in AWS (the token pepper, the link secret), kept in the data
        folder (mode 0600) so tokens and signed links survive a restart; `make` makes the first value."""
        if self.state is None:
            return make()
        path = self.state.folder / name
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(make())
        return path.read_text().strip()

    def _keep_secrets(self) -> None:
        """At stop: write back the secrets as the vault holds them (a rotation through the API included)."""
        if self.state is None:
            return
        from klaxon.adapters.aws import client

        for name in ("pepper", "link-secret", "webhook-secret", "integration-secrets"):
            value = client("secretsmanager").get_secret_value(SecretId=f"klaxon/{name}")["SecretString"]
            (self.state.folder / name).write_text(value)

    def _local_settings(self, settings: Settings) -> Settings:
        """Links in pages and emails point at this server; the status page is served under /status/."""
        update: dict[str, Any] = {"public_url": self.url, "statuspage_url": f"{self.url}/status/"}
        if self.options.rate_limit_scale is not None:
            update["rate_limit_scale"] = self.options.rate_limit_scale
        return settings.model_copy(update=update)

    def _site(self) -> FolderSite:
        return FolderSite(self.site_dir)

    def _resume(self) -> None:
        """Start again what was pending at the last stop: timers (what is left of them) and deliveries."""
        import math

        from klaxon.adapters.aws import client

        sfn = client("stepfunctions")
        for timer in self.restored.timers:
            left = max(timer["due_at"] - time.time(), 0.0) * self.options.time_scale
            state = {**timer["input"], "wait_seconds": math.ceil(left)}
            try:
                sfn.start_execution(
                    stateMachineArn=timer["state_machine"], name=timer["execution"], input=json.dumps(state)
                )
            except sfn.exceptions.ExecutionAlreadyExists:
                log.info("timer %s already running", timer["execution"])
        for invocation in self.restored.invocations:
            self.invoker.invoke_async(invocation["function"], invocation["event"])

    def _create_resources(self, settings: Settings) -> Settings:
        """Tables, bus, rules, functions, state machines, buckets, messaging; the settings that name them."""
        from klaxon.adapters.aws import client
        from klaxon.adapters.tables import ALL_MODELS
        from klaxon.events import SUBSCRIPTIONS

        for model in ALL_MODELS:
            if not model.exists():
                model.create_table(wait=True)
        events = client("events")
        bus = settings.event_bus
        events.create_event_bus(Name=bus)
        state_machines = self._create_functions_and_state_machines()
        settings = settings.model_copy(update={"escalation_state_machine": state_machines["escalation"]})
        for sub in SUBSCRIPTIONS:
            events.put_rule(Name=sub.name, EventBusName=bus, EventPattern=json.dumps(sub.pattern))
            if sub.target_kind == "state_machine":
                arn = state_machines[sub.target]
            elif sub.queue is not None:  # drained in batches: klaxon.local.event_source
                url = client("sqs").create_queue(QueueName=sub.name)["QueueUrl"]
                arn = f"arn:aws:sqs:{emulation.REGION}:{emulation.ACCOUNT}:{url.rsplit('/', 1)[-1]}"
                self.queues[sub.name] = QueueSource(sub.name, sub.target, sub.queue, self.invoker)
            else:
                arn = f"arn:aws:lambda:{emulation.REGION}:{emulation.ACCOUNT}:function:{sub.target}"
            events.put_targets(Rule=sub.name, EventBusName=bus, Targets=[{"Id": sub.target, "Arn": arn}])
        client("s3").create_bucket(Bucket=settings.payload_bucket)
        vault = client("secretsmanager")
        pepper = vault.create_secret(Name="klaxon/pepper", SecretString=self._kept("pepper", _random_hex))
        links = vault.create_secret(
            Name="klaxon/link-secret", SecretString=self._kept("link-secret", _new_rotatable_secret)
        )
        webhooks = vault.create_secret(
            Name="klaxon/webhook-secret", SecretString=self._kept("webhook-secret", _new_rotatable_secret)
        )
        signing = vault.create_secret(
            Name="klaxon/integration-secrets", SecretString=self._kept("integration-secrets", lambda: "{}")
        )
        settings = settings.model_copy(
            update={
                "pepper_secret": pepper["ARN"],
                "link_secret": links["ARN"],
                "webhook_secret": webhooks["ARN"],
                "integration_secrets": signing["ARN"],
            }
        )
        # SMS/voice answered, SES sender, push app; pages printed, and chat messages without Slack.
        self._chat_printer.setFormatter(logging.Formatter("%(asctime)s  chat   %(message)s", "%H:%M:%S"))
        chat_log = logging.getLogger("klaxon.chat")
        chat_log.setLevel(logging.INFO)
        chat_log.addHandler(self._chat_printer)
        return self.messaging.start(settings, print_to=sys.stdout)

    def _create_functions_and_state_machines(self) -> dict[str, str]:
        """Lambda functions (run in-process by the emulation) and state machines from their ASL files."""
        import io
        import zipfile

        from klaxon.adapters.aws import client
        from klaxon.topology import FUNCTIONS, STATE_MACHINES

        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                }
            ],
        }
        role = client("iam").create_role(RoleName="klaxon-local", AssumeRolePolicyDocument=json.dumps(trust))
        role_arn = role["Role"]["Arn"]
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("handler.py", "# the real handlers run in-process; see klaxon.local.emulation\n")
        arns = {}
        for function in FUNCTIONS.values():
            created = client("lambda").create_function(
                FunctionName=function.name,
                Runtime="python3.12",
                Role=role_arn,
                Handler=function.handler,
                Code={"ZipFile": archive.getvalue()},
                Timeout=function.timeout_s,
            )
            arns[function.name] = created["FunctionArn"]
        machines = {}
        for machine in STATE_MACHINES.values():
            definition = (ROOT / machine.definition).read_text()
            for placeholder, function_name in machine.functions.items():
                definition = definition.replace("${" + placeholder + "}", arns[function_name])
            created = client("stepfunctions").create_state_machine(
                name=machine.name, definition=definition, roleArn=role_arn
            )
            machines[machine.name] = created["stateMachineArn"]
        return machines

    def _start_execution(self, state_machine_arn: str, event: dict[str, Any]) -> None:
        """An EventBridge rule's Step Functions target: start an execution with the event as input."""
        from klaxon.adapters.aws import client
        from klaxon.topology import STATE_MACHINES

        # The escalation's first tick pages, and nothing of the page path runs until it begins.
        machine = STATE_MACHINES.get(state_machine_arn.rpartition(":")[2])
        for function in machine.functions.values() if machine is not None else ():
            self.invoker.expect(function)
        # EventBridge names such executions with a random UUID; moto would name them all "None".
        client("stepfunctions").start_execution(
            stateMachineArn=state_machine_arn, name=str(uuid.uuid4()), input=json.dumps(event)
        )

    def apply_config_file(self, path: Path) -> dict[str, int]:
        from klaxon import wiring
        from klaxon.config.loader import load_config

        self.config = load_config(path)
        return wiring.container().config_applier.apply(self.config)

    def publish_status_page(self) -> None:
        """Render the status page into `site_dir` now, as the publish function does on incident events."""
        from klaxon import wiring

        wiring.container().statuspage_publisher.publish(self._site(), forced=True)

    def next_incident_number(self) -> int:
        """The number the next incident will get (the counter the router takes numbers from, plus one)."""
        from klaxon.adapters.tables import ConfigItem

        try:
            counter = ConfigItem.get("counter", "incident-number")
        except ConfigItem.DoesNotExist:
            return 1
        return int(counter.value or 0) + 1

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait for every event in flight to be handled, the outbox's included (tests use this instead
        of sleeping): each may cause the other, so both must be idle twice in a row."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            idle = self.invoker.drain(max(deadline - time.monotonic(), 0.0))
            idle = idle and not (self.outbox is not None and self.outbox.busy())
            quiet = quiet + 1 if idle else 0
            if quiet >= 2:
                return True
            time.sleep(0.01)
        return False

    def stop(self) -> None:
        self.socket_mode.stop()  # first: Slack sends nothing more
        if self.ticker is not None:
            self.ticker.stop()
        emulation.guard(None)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self.state is not None:
            self.drain(STOP_DRAIN_SECONDS)  # let deliveries in flight finish before keeping the rest
            self.state.keep_timers()
        unrelayed = []
        if self.outbox is not None:
            self.outbox.stop()
            unrelayed = self.outbox.unfinished()
        self.invoker.shutdown()
        if self.state is not None:
            self.state.keep_invocations(unrelayed + self.invoker.unfinished())
        if self._mock is not None:
            self._keep_secrets()
            self._stop_executions()
        self.messaging.stop()
        logging.getLogger("klaxon.chat").removeHandler(self._chat_printer)
        if self.state is not None:
            emulation.observe(None, None)
            self.state.close()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        moto_speed.thaw_heap()
        if self._own_site is not None:
            self._own_site.cleanup()

    def _stop_executions(self) -> None:
        """Stop every running escalation: moto runs them in threads that would outlive this platform."""
        from klaxon.adapters.aws import client

        sfn = client("stepfunctions")
        for machine in sfn.list_state_machines()["stateMachines"]:
            running = sfn.list_executions(stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING")
            for execution in running["executions"]:
                sfn.stop_execution(executionArn=execution["executionArn"], cause="klaxon up stopped")

"""`klaxon up`: moto in-process, the real tables, bus rules and handlers, and an HTTP front door."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from klaxon.local import emulation
from klaxon.local.invoker import Invoker

log = logging.getLogger("klaxon.local")
DEFAULT_TOKEN = "klaxon-dev-token"


@dataclass
class Options:
    config: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    time_scale: float = 1.0
    api_token: str = field(default_factory=lambda: os.environ.get("KLAXON_API_TOKEN", DEFAULT_TOKEN))
    site_dir: Path | None = None


class LocalPlatform:
    """Start with `start()`, stop with `stop()`; `url` is the API's base URL once started."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.invoker = Invoker()
        self._mock: Any = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.site_dir = options.site_dir or Path(tempfile.mkdtemp(prefix="klaxon-site-"))

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalPlatform:
        # Locally, metrics would only print EMF blobs; logs stay at WARNING unless asked for.
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        emulation.install(self.invoker.invoke_async)
        self._mock = emulation.start_mock()
        from klaxon import wiring
        from klaxon.adapters.aws import reset_clients

        reset_clients()
        wiring.reset()
        self._create_resources()
        if self.options.config is not None:
            self.apply_config_file(self.options.config)
        wiring.directory().put_api_token(self.options.api_token, name="local", user=None)
        from klaxon.local.gateway import make_server

        self._server = make_server(self.options.host, self.options.port, self.invoker.invoke)
        self._thread = threading.Thread(target=self._server.serve_forever, name="klaxon-http", daemon=True)
        self._thread.start()
        return self

    def _create_resources(self) -> None:
        from klaxon.adapters.aws import client
        from klaxon.adapters.tables import ALL_MODELS
        from klaxon.events import SUBSCRIPTIONS

        for model in ALL_MODELS:
            if not model.exists():
                model.create_table(wait=True)
        events = client("events")
        bus = os.environ.get("KLAXON_EVENT_BUS", "klaxon")
        events.create_event_bus(Name=bus)
        for sub in SUBSCRIPTIONS:
            events.put_rule(Name=sub.name, EventBusName=bus, EventPattern=json.dumps(sub.pattern))
            arn = f"arn:aws:lambda:{emulation.REGION}:{emulation.ACCOUNT}:function:{sub.target}"
            events.put_targets(Rule=sub.name, EventBusName=bus, Targets=[{"Id": sub.target, "Arn": arn}])
        client("s3").create_bucket(Bucket=os.environ.get("KLAXON_PAYLOAD_BUCKET", "klaxon-payloads"))

    def apply_config_file(self, path: Path) -> dict[str, int]:
        from klaxon import wiring
        from klaxon.config.loader import load_config
        from klaxon.services.configuration import apply_config

        return apply_config(wiring.directory(), load_config(path))

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait for every event in flight to be handled (tests use this instead of sleeping)."""
        return self.invoker.drain(timeout)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.invoker.shutdown()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

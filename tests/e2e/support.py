"""Helpers for the e2e tier: polling with a deadline, outside processes, and the running platform's API."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

T = TypeVar("T")
API_TOKEN = "klaxon-dev-token"
STARTUP_TIMEOUT = 30.0
BANNER = re.compile(r"Klaxon is up on (http://\S+)")
KLAXON_UP = [sys.executable, "-m", "klaxon.cli", "up"]
DEFAULT_TIMEOUT = 10.0
POLL_INTERVAL = 0.05

# The demo organisation's integration keys (examples/acme.yaml).
CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
PAYMENTS_KEY = "KLAXON-DEMO-PAYMENTS-KEY-0000001"
ALERTMANAGER_KEY = "KLAXON-DEMO-ALERTMANAGER-KEY-001"


def unique(prefix: str) -> str:
    """A name no other test uses, so tests can share one platform without seeing each other's incidents."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    """A TCP port nothing listens on right now (for programs that cannot be told to pick their own)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(
    probe: Callable[[], T],
    until: Callable[[T], object] = bool,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    what: str,
) -> T:
    """Call `probe` until `until(value)` holds and return that value; past `timeout`, fail with the last."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if until(value):
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}; last saw: {value!r}")
        time.sleep(POLL_INTERVAL)


def read_log(path: Path, offset: int = 0) -> str:
    with path.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> bool:
    """Stop as Ctrl-C would; True when the process exited by itself within `timeout`, False if killed."""
    if process.poll() is not None:
        return True
    # A child inherits an ignored SIGINT (pytest run as a background job): then only SIGTERM reaches it.
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    process.send_signal(signal.SIGTERM if ignored else signal.SIGINT)
    try:
        process.wait(timeout)
        return True
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return False


def assert_refused(response: httpx.Response, status: int) -> dict[str, Any]:
    """The answer is `status`, JSON, with a non-blank `message`."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("message"), str), body
    assert body["message"].strip(), body
    return body


def assert_invalid_event(response: httpx.Response, *mentioned: str, status: int = 400) -> list[str]:
    """PagerDuty's own error body, exactly: status, message and the list of every problem."""
    body = assert_refused(response, status)
    assert set(body) == {"status", "message", "errors"}, body
    assert body["status"] == "invalid event"
    errors = body["errors"]
    assert isinstance(errors, list), body
    assert errors, body
    assert all(isinstance(error, str) and error for error in errors), body
    for text in mentioned:
        assert any(text in error for error in errors), f"no error mentions {text!r}: {errors}"
    return errors


@dataclass
class Platform:
    """The running `klaxon up`: its URL, an API client holding the token, and its console output."""

    url: str
    api: httpx.Client  # sends the API token
    anonymous: httpx.Client  # sends nothing: ingest with routing keys, or requests that must be refused
    log_path: Path

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def incidents(self, **params: str) -> list[dict[str, Any]]:
        """Every incident matching the filters, following the `next` cursor to the last page."""
        found: list[dict[str, Any]] = []
        query: dict[str, str | int] = {**params, "limit": 100}
        while True:
            response = self.api.get("/v1/incidents", params=query)
            assert response.status_code == 200, response.text
            page = response.json()
            found += page["incidents"]
            if not page["next"]:
                return found
            query["next"] = page["next"]

    def incident(self, incident_id: str) -> dict[str, Any]:
        response = self.api.get(f"/v1/incidents/{incident_id}")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def incident_for(self, service: str, dedup_key: str) -> dict[str, Any] | None:
        """The newest incident of a (service, dedup key), or None while the router has not opened one."""
        found = self.incidents(service=service, dedup_key=dedup_key)
        return found[0] if found else None

    def await_incident(
        self,
        service: str,
        dedup_key: str,
        until: Callable[[dict[str, Any]], object] = lambda _: True,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> dict[str, Any]:
        """Poll until the incident of (service, dedup key) exists and satisfies `until`."""

        def probe() -> dict[str, Any] | None:
            return self.incident_for(service, dedup_key)

        def done(incident: dict[str, Any] | None) -> object:
            return incident is not None and until(incident)

        found = wait_for(probe, done, timeout=timeout, what=f"incident on {service} for {dedup_key!r}")
        assert found is not None
        return found

    def await_status(
        self, incident_id: str, status: str, *, timeout: float = DEFAULT_TIMEOUT
    ) -> dict[str, Any]:
        return wait_for(
            lambda: self.incident(incident_id),
            lambda incident: incident["status"] == status,
            timeout=timeout,
            what=f"incident {incident_id} to become {status}",
        )


def _banner_url(process: subprocess.Popen[bytes], log_path: Path) -> str | None:
    """The URL `klaxon up` announces, None until it has; fails at once if the process has exited."""
    output = read_log(log_path)
    if process.poll() is not None:
        pytest.fail(f"`klaxon up` exited with {process.returncode} before it was ready:\n{output}")
    found = BANNER.search(output)
    return found.group(1) if found else None


def _healthy(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


def wait_until_up(process: subprocess.Popen[bytes], log_path: Path) -> tuple[httpx.Client, httpx.Client]:
    """Clients for the API (with the token) and for anonymous calls, once /healthz answers."""
    try:
        url = wait_for(
            lambda: _banner_url(process, log_path), timeout=STARTUP_TIMEOUT, what="the `klaxon up` banner"
        )
        assert url is not None
        anonymous = httpx.Client(base_url=url, timeout=10.0)
        wait_for(lambda: _healthy(anonymous), timeout=STARTUP_TIMEOUT, what=f"{url}/healthz")
    except AssertionError as exc:
        pytest.fail(f"{exc}\n`klaxon up` said:\n{read_log(log_path)}")
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=10.0)
    return api, anonymous


@contextmanager
def klaxon_up(
    log_path: Path, *args: str, cwd: Path | None = None
) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """A `klaxon up` of its own on the demo organisation (the session's shared one is `platform`)."""
    from tests.conftest import DEMO_CONFIG, ROOT

    env = {**os.environ, "KLAXON_API_TOKEN": API_TOKEN, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    command = [*KLAXON_UP, "--config", str(DEMO_CONFIG), "--port", "0", *args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=cwd or ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        api, anonymous = wait_until_up(process, log_path)
        try:
            yield api, anonymous
        finally:
            api.close()
            anonymous.close()
    finally:
        assert stop_process(process), read_log(log_path)
        assert process.returncode == 0, read_log(log_path)

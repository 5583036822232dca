"""E2e tier: one `klaxon up` subprocess for the whole session, driven over HTTP like any client would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_CONFIG, ROOT
from tests.e2e.support import Platform, read_log, stop_process, wait_for

API_TOKEN = "klaxon-dev-token"
STARTUP_TIMEOUT = 30.0
BANNER = re.compile(r"Klaxon is up on (http://\S+)")


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


def _wait_until_up(process: subprocess.Popen[bytes], log_path: Path) -> tuple[httpx.Client, httpx.Client]:
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


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """`klaxon up` on the demo configuration, on a port it picks itself (no race for a "free" port)."""
    log_path = tmp_path_factory.mktemp("klaxon-up") / "output.log"
    env = {**os.environ, "KLAXON_API_TOKEN": API_TOKEN, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "klaxon.cli", "up", "--config", str(DEMO_CONFIG), "--port", "0"]
    with log_path.open("wb") as log:
        # Its own session: a Ctrl-C on pytest reaches only pytest, whose teardown then stops the platform.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        api, anonymous = _wait_until_up(process, log_path)
        try:
            yield Platform(url=str(api.base_url).rstrip("/"), api=api, anonymous=anonymous, log_path=log_path)
        finally:
            api.close()
            anonymous.close()
    finally:
        exited = stop_process(process)
    if not exited or process.returncode != 0:
        pytest.fail(
            f"`klaxon up` did not stop cleanly (exit {process.returncode}, killed: {not exited}):\n"
            + read_log(log_path)[-4000:]
        )


@pytest.fixture(autouse=True)
def _platform_raised_nothing(request: pytest.FixtureRequest, platform: Platform) -> Iterator[None]:
    """Fail a test during which the platform logged a traceback: a 4xx answer can hide a crashed router."""
    start = platform.log_size()
    yield
    if request.node.get_closest_marker("xfail") is not None:
        return  # an expected failure documents a known crash; its traceback is the point
    logged = read_log(platform.log_path, start)
    if "Traceback" in logged:
        pytest.fail(f"the platform logged an exception during this test:\n{logged[-4000:]}")

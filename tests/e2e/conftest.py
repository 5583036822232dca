"""E2e tier: one `klaxon up` subprocess for the whole session, driven over HTTP like any client would."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import klaxon.local.emulation  # noqa: F401 - first: fake credentials, moto before any boto3 session
from klaxon.settings import Settings
from tests.conftest import DEMO_CONFIG, ROOT
from tests.e2e.support import API_TOKEN, KLAXON_UP, Platform, read_log, stop_process, wait_until_up
from tests.fakes.sources import pin_certificate

CERT_DIR_ENV = Settings.env_name("sns_cert_dir")
# The shared platform's rate limits, times this: the storm (2,000 events on one key) and the fuzzing run
# (over 5,000 requests with one token) test dedup and schemas, not 429s. test_flood.py runs the defaults.
RATE_LIMIT_SCALE = "1000"


def _klaxon_up(folder: Path, config: Path = DEMO_CONFIG, **env: str) -> Iterator[Platform]:
    """`klaxon up` on the demo configuration (or `config`), on a port it picks itself (no race for a
    "free" port); it must stop cleanly, with no traceback in its log."""
    log_path = folder / "output.log"
    command = [*KLAXON_UP, "--config", str(config), "--port", "0", "--ephemeral"]
    command += ["--rate-limit-scale", RATE_LIMIT_SCALE]
    environ = {**os.environ, "KLAXON_API_TOKEN": API_TOKEN, "PYTHONUNBUFFERED": "1", **env}
    with log_path.open("wb") as log:
        # Its own session: a Ctrl-C on pytest reaches only pytest, whose teardown then stops the platform.
        process = subprocess.Popen(
            command, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        api, anonymous = wait_until_up(process, log_path)
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


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The platform every e2e test shares."""
    yield from _klaxon_up(tmp_path_factory.mktemp("klaxon-up"))


@pytest.fixture(scope="session")
def sns_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A second platform that trusts the test SNS certificate (KLAXON_SNS_CERT_DIR)."""
    folder = tmp_path_factory.mktemp("sns-certs")
    pin_certificate(folder)
    yield from _klaxon_up(folder, **{CERT_DIR_ENV: str(folder)})


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

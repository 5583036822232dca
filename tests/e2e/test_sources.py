"""Grafana, CloudWatch (SNS), Datadog, Sentry and generic JSON against `klaxon up`, from their fixtures.

CloudWatch's SNS signatures are made with a test key, so its tests run on a second `klaxon up` told to
trust that key's certificate (KLAXON_SNS_CERT_DIR); nothing is fetched from Amazon.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterator

import httpx
import pytest

from klaxon.settings import Settings
from tests.conftest import DEMO_CONFIG, ROOT
from tests.e2e.support import KLAXON_UP, Platform, assert_refused, read_log, stop_process, wait_for
from tests.fakes.sources import CASES, Delivery, SourceCase, pin_certificate

pytestmark = pytest.mark.e2e

CERT_DIR_ENV = Settings.env_name("sns_cert_dir")
API_TOKEN = "klaxon-dev-token"
BANNER = re.compile(r"Klaxon is up on (http://\S+)")


def _healthy(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def sns_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A second `klaxon up` on the demo configuration that trusts the test SNS certificate."""
    folder = tmp_path_factory.mktemp("sns-certs")
    pin_certificate(folder)
    log_path = folder / "output.log"
    env = {**os.environ, "KLAXON_API_TOKEN": API_TOKEN, "PYTHONUNBUFFERED": "1", CERT_DIR_ENV: str(folder)}
    command = [*KLAXON_UP, "--config", str(DEMO_CONFIG), "--port", "0", "--ephemeral"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        found = wait_for(
            lambda: BANNER.search(read_log(log_path)) or process.poll() is not None,
            timeout=30.0,
            what="the `klaxon up` banner",
        )
        assert isinstance(found, re.Match), read_log(log_path)
        url = found.group(1)
        with (
            httpx.Client(base_url=url, timeout=10.0) as anonymous,
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=10.0) as api,
        ):
            wait_for(lambda: _healthy(anonymous), timeout=30.0, what=f"{url}/healthz")
            yield Platform(url=url, api=api, anonymous=anonymous, log_path=log_path)
    finally:
        stop_process(process)
    assert "Traceback" not in read_log(log_path), read_log(log_path)[-4000:]


@pytest.fixture
def on(request: pytest.FixtureRequest, platform: Platform) -> Platform:
    """The platform a case runs on: the shared one, or for cloudwatch the one trusting the test key."""
    case: SourceCase = request.node.callspec.params["case"]
    return request.getfixturevalue("sns_platform") if case.kind == "cloudwatch" else platform


def send(platform: Platform, delivery: Delivery) -> httpx.Response:
    return platform.anonymous.post(delivery.path, content=delivery.body, headers=delivery.headers)


def token() -> str:
    return uuid.uuid4().hex[:12]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_source_opens_an_incident_that_its_retrigger_joins_and_its_resolve_resolves(
    on: Platform, case: SourceCase
) -> None:
    t = token()

    assert send(on, case.fire(t)).status_code == 202
    incident = on.await_incident(case.service, case.dedup_key(t))
    assert send(on, case.fire(t)).status_code == 202
    on.await_incident(case.service, case.dedup_key(t), lambda i: i["alert_count"] == 2)
    assert send(on, case.resolve(t)).status_code == 202

    resolved = on.await_status(incident["id"], "resolved")
    assert resolved["resolved_by"] == f"integration:{case.kind}"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_source_with_a_bad_signature_is_refused_and_opens_nothing(on: Platform, case: SourceCase) -> None:
    t = token()

    body = assert_refused(send(on, case.forged(t)), 401)

    assert case.refused_because in body["message"]
    assert on.incident_for(case.service, case.dedup_key(t)) is None


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_source_with_a_malformed_body_is_refused_naming_the_field(on: Platform, case: SourceCase) -> None:
    body = assert_refused(send(on, case.malformed(token())), 400)

    assert case.malformed_error in body["errors"]

"""Grafana, CloudWatch (SNS), Datadog, Sentry and generic JSON against `klaxon up`, from their fixtures.

CloudWatch's SNS signatures are made with a test key, so its tests run on a second `klaxon up` told to
trust that key's certificate (`sns_platform` in conftest.py); nothing is fetched from Amazon.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.support import Platform, assert_refused
from tests.fakes.sources import CASES, Delivery, SourceCase

pytestmark = pytest.mark.e2e


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

"""SLA budgets against a `klaxon up` subprocess of its own (the shared one holds other tests' open
incidents, which burn the same budgets), on the demo's two customers: a P2 sent by the
official PagerDuty client (a partial outage on checkout) burns Acme Bank's storefront budget at half
weight, a P1 on payments (a major outage) at full weight; Globex, on the API, is untouched; the budget's
report agrees with the API; `klaxon sla --json` prints the same. (Each threshold firing at the minute
its consumption is reached is tests/unit/sla/test_sla_alerts.py's scenario, with a clock it controls.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import _klaxon_up
from tests.e2e.support import API_TOKEN, CHECKOUT_KEY, PAYMENTS_KEY, Platform, unique, wait_for
from tests.e2e.test_pagerduty_client import LocalEventsClient

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    yield from _klaxon_up(tmp_path_factory.mktemp("klaxon-up-sla"))


def acme(platform: Platform) -> dict[str, Any]:
    found = platform.api.get("/v1/sla", params={"customer": "acme-bank"}).json()["budgets"]
    return dict(found[0])


def opened(platform: Platform, routing_key: str, severity: str) -> dict[str, Any]:
    key = unique("sla")
    with LocalEventsClient(routing_key, platform.url) as events:
        events.trigger(f"SLA e2e ({key})", "web-1.acme.example", key, severity)
    return dict(
        wait_for(
            lambda: (
                platform.api.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"] or [None]
            )[0],
            what="the incident",
        )
    )


def test_a_partial_then_a_major_outage_burn_acme_banks_budget_at_their_weights(quiet: Platform) -> None:
    platform = quiet
    partial = opened(platform, CHECKOUT_KEY, "error")  # P2: checkout's partial outage
    burning = wait_for(
        lambda: acme(platform), lambda b: b["budget"]["burning"] == 0.5, what="half-weight burn"
    )
    assert burning["budget"]["breach_at"] is not None
    major = opened(platform, PAYMENTS_KEY, "critical")  # P1: payments' major outage
    wait_for(lambda: acme(platform), lambda b: b["budget"]["burning"] == 1.0, what="full-weight burn")
    globex = platform.api.get("/v1/sla", params={"customer": "globex"}).json()["budgets"][0]
    assert globex["budget"]["consumed_minutes"] == 0.0

    for incident in (partial, major):
        assert platform.api.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    after = wait_for(lambda: acme(platform), lambda b: b["budget"]["burning"] == 0.0, what="the burn to stop")
    window = {"start": after["budget"]["window_start"], "end": after["budget"]["window_end"]}
    report = platform.api.get("/v1/reports/sla", params={"customer": "acme-bank", **window}).json()
    assert report["contracts"][0]["consumed_minutes"] == after["budget"]["consumed_minutes"]
    statuses = {i["status"] for i in report["contracts"][0]["incidents"]}
    assert {"partial_outage", "major_outage"} <= statuses

    env = {**os.environ, "KLAXON_API": platform.url, "KLAXON_API_TOKEN": API_TOKEN}
    printed = subprocess.run(
        [sys.executable, "-m", "klaxon.cli", "sla", "--customer", "acme-bank", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
        check=True,
    )
    assert (
        json.loads(printed.stdout)["budgets"][0]["budget"]["consumed_minutes"]
        >= after["budget"]["consumed_minutes"]
    )

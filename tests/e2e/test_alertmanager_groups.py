"""The real Alertmanager, sending every alert on its own, and Klaxon grouping them by alertname (the demo's
`search` service): one incident per group, resolved when the last of its alerts resolves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.support import ALERTMANAGER_KEY, Platform, unique, wait_for
from tests.e2e.test_alertmanager import Alertmanager, run_alertmanager

pytestmark = pytest.mark.e2e

# A deadline, not a speed goal: Alertmanager notifies at its group interval (1 s), but on a loaded
# 2-core CI machine a notice was seen taking over 20 s.
NOTICE_WITHIN = 60.0


def ungrouped_config(klaxon_url: str) -> dict[str, Any]:
    """`group_by: ['...']` makes Alertmanager notify each alert alone: the grouping is Klaxon's."""
    return {
        "route": {
            "receiver": "klaxon",
            "group_by": ["..."],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "1h",
        },
        "receivers": [
            {
                "name": "klaxon",
                "webhook_configs": [
                    {
                        "url": f"{klaxon_url}/v1/integrations/alertmanager",
                        "send_resolved": True,
                        "http_config": {"authorization": {"credentials": ALERTMANAGER_KEY}},
                    }
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def alertmanager(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Alertmanager]:
    folder = tmp_path_factory.mktemp("alertmanager-ungrouped")
    with run_alertmanager(folder, ungrouped_config(platform.url)) as am:
        yield am


def _group(platform: Platform, alertname: str, until: str, alerts: int) -> dict[str, Any]:
    key = f"group:alertname={alertname}"
    return platform.await_incident(
        "search", key, lambda i: i["status"] == until and len(i["alerts"]) >= alerts, timeout=NOTICE_WITHIN
    )


def _labels(alertname: str, instance: str) -> dict[str, str]:
    return {"alertname": alertname, "service": "search", "severity": "critical", "instance": instance}


@pytest.fixture
def two_groups(platform: Platform, alertmanager: Alertmanager) -> dict[str, Any]:
    """Two alertnames with two instances each, fired through Alertmanager: two incidents of two alerts."""
    started = datetime.now(UTC)
    names = [unique("IndexLag"), unique("QueryErrors")]
    labels = {name: [_labels(name, f"search-{n}") for n in (1, 2)] for name in names}
    for alerts in labels.values():
        for one in alerts:
            alertmanager.fire(one, started)
    incidents = {name: _group(platform, name, "triggered", alerts=2) for name in names}
    return {"started": started, "labels": labels, "incidents": incidents}


def test_each_group_of_separately_sent_alerts_is_one_incident(
    platform: Platform, two_groups: dict[str, Any]
) -> None:
    incidents = two_groups["incidents"]
    for name, incident in incidents.items():
        found = platform.incidents(service="search", dedup_key=f"group:alertname={name}")
        assert [i["id"] for i in found] == [incident["id"]]
        assert incident["alert_count"] == 2
    assert len({i["id"] for i in incidents.values()}) == 2


def test_a_group_resolves_only_when_all_its_alerts_have(
    platform: Platform, alertmanager: Alertmanager, two_groups: dict[str, Any]
) -> None:
    first, second = two_groups["labels"]
    started = two_groups["started"]
    lag = two_groups["incidents"][first]

    alertmanager.clear(two_groups["labels"][first][0], started)
    half = wait_for(
        lambda: platform.incident(lag["id"]),
        lambda i: sorted(a["status"] for a in i["alerts"].values()) == ["firing", "resolved"],
        timeout=NOTICE_WITHIN,
        what="Alertmanager's notice that one of the group's alerts resolved",
    )
    assert half["status"] == "triggered"

    alertmanager.clear(two_groups["labels"][first][1], started)
    platform.await_status(lag["id"], "resolved", timeout=NOTICE_WITHIN)
    assert platform.incident(two_groups["incidents"][second]["id"])["status"] == "triggered"

    for one in two_groups["labels"][second]:
        alertmanager.clear(one, started)
    platform.await_status(two_groups["incidents"][second]["id"], "resolved", timeout=NOTICE_WITHIN)

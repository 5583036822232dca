"""The real Alertmanager binary notifies Klaxon through its webhook receiver; groups become incidents."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import require_program
from tests.e2e.support import (
    ALERTMANAGER_KEY,
    CHECKOUT_KEY,
    Platform,
    free_port,
    read_log,
    stop_process,
    unique,
    wait_for,
)

pytestmark = pytest.mark.e2e

KEY_IN_URL = {"e2e_delivery": "key-in-url"}  # alerts with this label reach the receiver without a header
BY_PAGERDUTY = {"e2e_delivery": "pagerduty"}  # these go through Alertmanager's own pagerduty_configs
DASHBOARD = {"href": "https://grafana.example/d/checkout", "text": "Checkout dashboard"}
INTEGRATION = "integration:alertmanager"


def alertmanager_config(klaxon_url: str) -> dict[str, Any]:
    webhook = f"{klaxon_url}/v1/integrations/alertmanager"
    timing = {"group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h"}
    return {
        "route": {
            "receiver": "klaxon",
            "group_by": ["alertname"],
            **timing,
            "routes": [
                {"receiver": "klaxon-key-in-url", "matchers": ['e2e_delivery="key-in-url"']},
                {"receiver": "klaxon-pagerduty", "matchers": ['e2e_delivery="pagerduty"']},
            ],
        },
        "receivers": [
            {
                "name": "klaxon",
                "webhook_configs": [
                    {
                        "url": webhook,
                        "send_resolved": True,
                        "http_config": {"authorization": {"credentials": ALERTMANAGER_KEY}},
                    }
                ],
            },
            {
                "name": "klaxon-key-in-url",
                "webhook_configs": [{"url": f"{webhook}/{ALERTMANAGER_KEY}", "send_resolved": True}],
            },
            {
                # A team that pointed Alertmanager's PagerDuty receiver at Klaxon by changing its URL.
                "name": "klaxon-pagerduty",
                "pagerduty_configs": [
                    {
                        "routing_key": CHECKOUT_KEY,
                        "url": f"{klaxon_url}/v2/enqueue",
                        "links": [DASHBOARD],
                        "send_resolved": True,
                    }
                ],
            },
        ],
    }


@dataclass
class Alertmanager:
    url: str
    client: httpx.Client
    log_path: Path

    def fire(self, labels: dict[str, str], starts_at: datetime) -> None:
        self._post(labels, {"startsAt": starts_at.isoformat()})

    def clear(self, labels: dict[str, str], starts_at: datetime) -> None:
        """Send the alert again with `endsAt` in the past: Alertmanager then notifies it as resolved."""
        ended = datetime.now(UTC) - timedelta(seconds=1)
        self._post(labels, {"startsAt": starts_at.isoformat(), "endsAt": ended.isoformat()})

    def _post(self, labels: dict[str, str], times: dict[str, str]) -> None:
        alert = {"labels": labels, "annotations": {"summary": "raised by the e2e tier"}, **times}
        response = self.client.post("/api/v2/alerts", json=[alert])
        assert response.status_code == 200, response.text


def _ready(client: httpx.Client) -> bool:
    try:
        return client.get("/-/ready").status_code == 200
    except httpx.TransportError:
        return False


@contextlib.contextmanager
def run_alertmanager(folder: Path, config: dict[str, Any]) -> Iterator[Alertmanager]:
    """Debian's Alertmanager binary with `config`, on a free loopback port, until the block ends."""
    binary = require_program("prometheus-alertmanager")
    config_path = folder / "alertmanager.yml"
    config_path.write_text(json.dumps(config, indent=2))  # JSON is YAML
    log_path = folder / "output.log"
    url = f"http://127.0.0.1:{free_port()}"
    command = [
        binary,
        f"--config.file={config_path}",
        f"--storage.path={folder / 'data'}",
        f"--web.listen-address={url.removeprefix('http://')}",
        f"--web.external-url={url}",
        "--cluster.listen-address=",  # no clustering: no gossip port, no settle delay
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    client = httpx.Client(base_url=url, timeout=10.0)
    try:
        try:
            wait_for(lambda: _ready(client), timeout=15.0, what=f"Alertmanager at {url}/-/ready")
        except AssertionError as exc:
            pytest.fail(f"{exc}\nAlertmanager said:\n{read_log(log_path)}")
        yield Alertmanager(url=url, client=client, log_path=log_path)
    finally:
        client.close()
        stop_process(process)


@pytest.fixture(scope="module")
def alertmanager(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Alertmanager]:
    with run_alertmanager(tmp_path_factory.mktemp("alertmanager"), alertmanager_config(platform.url)) as am:
        yield am


def _group_incident(platform: Platform, service: str, alertname: str) -> dict[str, Any] | None:
    """The incident of an alert group: the title starts `[FIRING:n] <alertname>`, like Alertmanager's own."""
    found = [i for i in platform.incidents(service=service) if f"] {alertname}" in i["title"]]
    assert len(found) <= 1, f"one group, several incidents: {found}"
    return found[0] if found else None


def _await_group_incident(
    platform: Platform, am: Alertmanager, service: str, alertname: str, status: str = "triggered"
) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        return _group_incident(platform, service, alertname)

    try:
        found = wait_for(
            probe,
            lambda incident: incident is not None and incident["status"] == status,
            what=f"a {status} incident on {service} for alert group {alertname}",
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nAlertmanager said:\n{read_log(am.log_path)[-3000:]}") from None
    assert found is not None
    return found


def _instance_status(incident: dict[str, Any], instance: str) -> str | None:
    return next(
        (a["status"] for a in incident["alerts"].values() if a["labels"].get("instance") == instance), None
    )


def test_firing_alert_opens_a_p1_incident_that_resolves_with_the_alert(
    platform: Platform, alertmanager: Alertmanager
) -> None:
    labels = {"alertname": unique("CheckoutDown"), "service": "checkout", "severity": "critical"}
    started = datetime.now(UTC)

    alertmanager.fire(labels, started)

    incident = _await_group_incident(platform, alertmanager, "checkout", labels["alertname"])
    assert (incident["priority"], incident["urgency"]) == ("P1", "high")
    assert incident["integration"] == "alertmanager"
    assert incident["title"].startswith(f"[FIRING:1] {labels['alertname']}")

    alertmanager.clear(labels, started)

    resolved = _await_group_incident(platform, alertmanager, "checkout", labels["alertname"], "resolved")
    assert resolved["id"] == incident["id"]
    assert resolved["resolved_by"] == INTEGRATION


def test_each_alert_group_is_one_incident_that_resolves_when_all_its_alerts_do(
    platform: Platform, alertmanager: Alertmanager
) -> None:
    started = datetime.now(UTC)
    checkout = {"alertname": unique("CheckoutSlow"), "service": "checkout", "severity": "warning"}
    web1, web2 = {**checkout, "instance": "web-1"}, {**checkout, "instance": "web-2"}
    payments = {"alertname": unique("PaymentsDown"), "service": "payments", "severity": "critical"}

    for labels in (web1, web2, payments):
        alertmanager.fire(labels, started)

    slow = _await_group_incident(platform, alertmanager, "checkout", checkout["alertname"])
    down = _await_group_incident(platform, alertmanager, "payments", payments["alertname"])
    assert slow["id"] != down["id"]
    assert (slow["priority"], down["priority"]) == ("P3", "P1")
    assert {_instance_status(slow, "web-1"), _instance_status(slow, "web-2")} == {"firing"}

    # One of the group's two alerts clears: the group still fires, so its incident stays open.
    alertmanager.clear(web1, started)
    slow = wait_for(
        lambda: platform.incident(slow["id"]),
        lambda incident: _instance_status(incident, "web-1") == "resolved",
        what="Alertmanager's notification that web-1 cleared",
    )
    assert slow["status"] == "triggered"
    assert _instance_status(slow, "web-2") == "firing"

    alertmanager.clear(web2, started)
    platform.await_status(slow["id"], "resolved")
    assert platform.incident(down["id"])["status"] == "triggered"

    alertmanager.clear(payments, started)
    platform.await_status(down["id"], "resolved")


@pytest.mark.parametrize(
    "service_label", [{"service": "no-such-service"}, {}], ids=["unknown service", "no service label"]
)
def test_alert_without_a_known_service_goes_to_platform(
    platform: Platform, alertmanager: Alertmanager, service_label: dict[str, str]
) -> None:
    labels = {"alertname": unique("Unrouted"), "severity": "error", **service_label}

    alertmanager.fire(labels, datetime.now(UTC))

    incident = _await_group_incident(platform, alertmanager, "platform", labels["alertname"])
    assert incident["priority"] == "P2"


def test_webhook_with_the_key_as_last_path_segment_is_accepted(
    platform: Platform, alertmanager: Alertmanager
) -> None:
    labels = {"alertname": unique("KeyInUrl"), "service": "checkout", "severity": "critical", **KEY_IN_URL}
    started = datetime.now(UTC)

    alertmanager.fire(labels, started)

    incident = _await_group_incident(platform, alertmanager, "checkout", labels["alertname"])
    # Alertmanager's group key names the route, proving the header-less receiver sent this group.
    assert 'e2e_delivery="key-in-url"' in incident["details"]["groupKey"]
    alertmanager.clear(labels, started)
    assert platform.await_status(incident["id"], "resolved")["resolved_by"] == INTEGRATION


def test_alertmanagers_pagerduty_receiver_keeps_its_client_url_as_the_first_link(
    platform: Platform, alertmanager: Alertmanager
) -> None:
    labels = {"alertname": unique("CheckoutSlow"), "severity": "critical", **BY_PAGERDUTY}
    started = datetime.now(UTC)
    alertmanager.fire(labels, started)

    def probe() -> list[dict[str, Any]]:
        return [i for i in platform.incidents(service="checkout") if labels["alertname"] in i["title"]]

    incident = wait_for(probe, what="the incident Alertmanager's PagerDuty receiver opened")[0]
    links = platform.incident(incident["id"])["links"]
    assert links[0]["href"].startswith(alertmanager.url), links  # client_url: Alertmanager's own page
    assert links[0]["text"] == "Alertmanager"  # client
    assert {"href": DASHBOARD["href"], "text": DASHBOARD["text"]} in links[1:]

    alertmanager.clear(labels, started)
    wait_for(lambda: platform.incident(incident["id"])["status"], lambda s: s == "resolved", what="resolve")

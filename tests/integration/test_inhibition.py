"""Inhibition under moto: a region-down incident mutes its region's new alerts, then releases them."""

from __future__ import annotations

import time

from tests.integration.noise_support import eventually, incidents, notification, notifications, send_am

SOURCE = {"alertname": "region-down", "service": "platform", "severity": "critical", "region": "eu-1"}


def open_target(platform, http, region: str = "eu-1") -> dict:
    labels = {"alertname": "CheckoutErrors", "service": "checkout", "severity": "critical", "region": region}
    send_am(http, platform, notification("firing", f"target-{region}", [(f"t-{region}", "firing")], **labels))
    (target,) = [i for i in incidents(http, service="checkout") if i["labels"].get("region") == region]
    return target


def test_an_alert_in_a_down_region_is_linked_to_the_region_incident(platform, http) -> None:
    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    (source,) = incidents(http, service="platform")

    target = open_target(platform, http)

    assert (target["inhibited_by"], target["urgency"]) == (source["id"], "low")


def test_an_inhibited_alert_pages_nobody(platform, http) -> None:
    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    target = open_target(platform, http)

    time.sleep(0.5)
    platform.drain()

    assert notifications(http, target["id"]) == []


def test_an_alert_in_another_region_pages(platform, http) -> None:
    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))

    target = open_target(platform, http, region="us-1")

    assert target["inhibited_by"] is None
    assert eventually(lambda: notifications(http, target["id"]))


def test_when_the_region_incident_resolves_the_still_firing_alert_pages(platform, http) -> None:
    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    target = open_target(platform, http)

    send_am(http, platform, notification("resolved", "source", [("s1", "resolved")], **SOURCE))

    assert eventually(lambda: notifications(http, target["id"]))
    released = http.get(f"/v1/incidents/{target['id']}").json()
    assert (released["urgency"], released["muted_urgency"]) == ("high", None)


def test_the_release_is_on_the_timeline(platform, http) -> None:
    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    target = open_target(platform, http)
    send_am(http, platform, notification("resolved", "source", [("s1", "resolved")], **SOURCE))

    timeline = eventually(
        lambda: [
            e
            for e in http.get(f"/v1/incidents/{target['id']}/timeline").json()["timeline"]
            if e["kind"] == "released"
        ]
    )

    assert len(timeline) == 1

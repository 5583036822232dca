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


def test_sources_are_read_as_their_ids_and_labels_alone(platform, http) -> None:
    """Every new incident a rule targets looks for sources among the open incidents: only their ids and
    labels are read, not their alerts."""
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.adapters.tables import connection
    from klaxon.domain.noise.inhibition import Source

    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    (source,) = incidents(http, service="platform")
    open_target(platform, http)  # open, but not a source
    asked: list[dict] = []

    def ask(params: dict, **_: object) -> None:
        asked.append(params)

    events = connection().client.meta.events
    events.register("provide-client-params.dynamodb.Query", ask)
    try:
        found = DynamoIncidentRepository().open_matching({"alertname": "region-down", "region": "eu-1"})
    finally:
        events.unregister("provide-client-params.dynamodb.Query", ask)

    assert found == [Source(incident_id=source["id"], labels=source["labels"])]
    assert [p["ExpressionAttributeValues"][":0"] for p in asked] == [
        {"S": "triggered"},
        {"S": "acknowledged"},
    ]
    for params in asked:
        projected = {
            params["ExpressionAttributeNames"][n.strip()] for n in params["ProjectionExpression"].split(",")
        }
        assert (params["IndexName"], projected) == ("by-status", {"id", "labels"})

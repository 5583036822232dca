"""Inhibition under moto: a region-down incident mutes its region's new alerts, then releases them."""

from __future__ import annotations

import time

import pytest

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


def _queries(labels: dict[str, str]) -> tuple[list, list[dict]]:
    """What `open_matching(labels)` finds, and the Query requests it made."""
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.adapters.tables import connection

    asked: list[dict] = []

    def ask(params: dict, **_: object) -> None:
        asked.append(params)

    events = connection().client.meta.events
    events.register("provide-client-params.dynamodb.Query", ask)
    try:
        found = DynamoIncidentRepository().open_matching(labels)
    finally:
        events.unregister("provide-client-params.dynamodb.Query", ask)
    return found, asked


def _projected(params: dict) -> set[str]:
    return {params["ExpressionAttributeNames"][n.strip()] for n in params["ProjectionExpression"].split(",")}


def test_a_target_its_resolved_source_never_released_pages_at_the_maintenance_tick(platform, http) -> None:
    """The source resolves with no release reaching the target (it opened as the source resolved): the
    minute's maintenance tick finds it muted under a resolved source and releases it."""
    from klaxon import wiring
    from klaxon.adapters.tables import IncidentItem

    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    (source,) = incidents(http, service="platform")
    target = open_target(platform, http)
    resolved = [
        IncidentItem.status.set("resolved"),
        IncidentItem.source_key.remove(),
        IncidentItem.outbox.remove(),
    ]
    IncidentItem(id=source["id"]).update(actions=resolved)  # no event: nothing releases the target

    done = wiring.container().maintenance_service.tick()

    assert done["released"] == 1
    assert eventually(lambda: notifications(http, target["id"]))
    released = http.get(f"/v1/incidents/{target['id']}").json()
    assert (released["urgency"], released["muted_urgency"]) == ("high", None)


def test_sources_are_looked_up_by_alertname_as_their_ids_and_labels_alone(platform, http) -> None:
    """A rule naming the source's alertname reads the open incidents of that alertname, in one query of
    the by-source-key index: not every open incident, and only their ids and labels."""
    from klaxon.domain.noise.inhibition import Source

    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    (source,) = incidents(http, service="platform")
    open_target(platform, http)  # open, but another alertname

    found, asked = _queries({"alertname": "region-down", "region": "eu-1"})

    assert found == [Source(incident_id=source["id"], labels=source["labels"])]
    ((params),) = asked
    assert (params["IndexName"], params["ExpressionAttributeValues"][":0"]) == (
        "by-source-key",
        {"S": "region-down"},
    )
    assert _projected(params) == {"id", "labels"}


def test_a_resolved_incident_leaves_the_sources_index(platform, http) -> None:
    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    us_1 = {**SOURCE, "region": "us-1"}
    send_am(http, platform, notification("firing", "other", [("s2", "firing")], **us_1))
    send_am(http, platform, notification("resolved", "source", [("s1", "resolved")], **SOURCE))
    (still_open,) = [i for i in incidents(http, service="platform") if i["status"] != "resolved"]

    found, asked = _queries({"alertname": "region-down"})

    assert [s.incident_id for s in found] == [still_open["id"]]
    assert [p["IndexName"] for p in asked] == ["by-source-key"]


def test_a_key_a_resolve_left_behind_inhibits_nothing(platform, http) -> None:
    """A function still on the version before the index resolves without removing the key: the lookup
    reads the status beside it, and the resolved incident is no source."""
    from klaxon.adapters.tables import IncidentItem

    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    (source,) = incidents(http, service="platform")
    IncidentItem(id=source["id"]).update(actions=[IncidentItem.status.set("resolved")])  # key kept

    found, asked = _queries({"alertname": "region-down", "region": "eu-1"})
    target = open_target(platform, http)

    assert (found, [p["IndexName"] for p in asked]) == ([], ["by-source-key"])
    assert (target["inhibited_by"], target["urgency"]) == (None, "high")


def test_incidents_kept_from_before_the_index_are_marked_by_the_sweeper(platform, http) -> None:
    """Open incidents written before the deployment that added the index have no key: until the sweeper
    has marked them, inhibition reads every open incident, then the index, which holds them."""
    from klaxon import wiring
    from klaxon.adapters import live_index, source_index
    from klaxon.adapters.tables import ConfigItem, IncidentItem

    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    (source,) = incidents(http, service="platform")
    IncidentItem(id=source["id"]).update(actions=[IncidentItem.source_key.remove()])  # as kept from before
    ConfigItem(pk=live_index.MARK_PK, sk=source_index.MARK).delete()
    live_index.forget()

    before, asked_before = _queries({"alertname": "region-down"})
    wiring.container().mark_incident_sources()
    after, asked_after = _queries({"alertname": "region-down"})

    assert [s.incident_id for s in before] == [s.incident_id for s in after] == [source["id"]]
    assert [p["IndexName"] for p in asked_before] == ["by-status", "by-status"]
    assert [p["IndexName"] for p in asked_after] == ["by-source-key"]


def test_an_alertname_too_long_for_a_key_is_read_by_status(platform, http) -> None:
    """DynamoDB takes index keys up to 2,048 bytes: an incident with a longer alertname opens outside the
    index, and a lookup of it reads every open incident."""
    long = {**SOURCE, "alertname": "region-down-" + "x" * 2100}
    send_am(http, platform, notification("firing", "long", [("s1", "firing")], **long))
    (source,) = incidents(http, service="platform")

    found, asked = _queries({"alertname": long["alertname"]})

    assert [s.incident_id for s in found] == [source["id"]]
    assert [p["IndexName"] for p in asked] == ["by-status", "by-status"]


def test_without_an_alertname_every_open_incident_is_read(platform, http) -> None:
    """A rule that leaves the source's alertname open (no `alertname` in its source match, nor a target's
    among its `equal` labels) looks among the open incidents of every status."""
    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    target = open_target(platform, http)

    found, asked = _queries({"region": "eu-1"})

    assert {s.incident_id for s in found} == {i["id"] for i in incidents(http)} >= {target["id"]}
    assert [(p["IndexName"], p["ExpressionAttributeValues"][":0"]) for p in asked] == [
        ("by-status", {"S": "triggered"}),
        ("by-status", {"S": "acknowledged"}),
    ]
    assert all(_projected(p) == {"id", "labels"} for p in asked)


@pytest.mark.parametrize(
    ("code", "message", "falls_back"),
    [
        ("ValidationException", "Cannot read from backfilling global secondary index: by-source-key", True),
        ("ValidationException", "The table does not have the specified index: by-source-key", True),
        ("ResourceNotFoundException", "Requested resource not found", True),
        ("ValidationException", "Invalid ProjectionExpression: Attribute name is a reserved keyword", False),
    ],
)
def test_only_an_index_not_there_yet_is_read_around(
    platform, http, monkeypatch: pytest.MonkeyPatch, code: str, message: str, falls_back: bool
) -> None:
    """While the deployment that adds the index is under way, inhibition reads every open incident; any
    other refusal of the query is raised, not hidden behind that read."""
    from botocore.exceptions import ClientError
    from pynamodb.exceptions import QueryError

    from klaxon.adapters.tables import connection

    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    (source,) = incidents(http, service="platform")
    client = connection().client
    real, refused = client._make_api_call, []

    def call(operation: str, kwargs: dict) -> object:
        if operation == "Query" and kwargs.get("IndexName") == "by-source-key":
            refused.append(kwargs)
            raise ClientError({"Error": {"Code": code, "Message": message}}, operation)
        return real(operation, kwargs)

    monkeypatch.setattr(client, "_make_api_call", call)

    if not falls_back:
        with pytest.raises(QueryError):
            _queries({"alertname": "region-down"})
        return
    found, asked = _queries({"alertname": "region-down"})
    assert [s.incident_id for s in found] == [source["id"]]
    assert (len(refused), [p["IndexName"] for p in asked]) == (1, ["by-status", "by-status"])


def test_an_acknowledged_target_is_not_moved_to_another_source(platform, http) -> None:
    """The tick reads the muted incidents from an index that may lag an acknowledgement: moving one so
    would write 'Still inhibited' on the timeline of an incident someone already handles."""
    from datetime import UTC, datetime

    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.domain.errors import Conflict
    from klaxon.domain.incident.models import TimelineEntry

    send_am(http, platform, notification("firing", "source", [("s1", "firing")], **SOURCE))
    (source,) = incidents(http, service="platform")
    target = open_target(platform, http)
    assert http.post(f"/v1/incidents/{target['id']}/acknowledge").status_code == 200
    now = datetime.now(UTC)
    entry = TimelineEntry(subject=target["id"], at=now, kind="inhibited", actor="test", message="moved")

    with pytest.raises(Conflict):
        DynamoIncidentRepository().reinhibit(
            target["id"], from_source=source["id"], to_source="another", now=now, entry=entry
        )

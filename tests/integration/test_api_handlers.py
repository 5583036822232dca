"""The ingest and API functions behind the local API Gateway emulation, over HTTP."""

from __future__ import annotations

import copy
import re

import pytest

from klaxon.config.loader import load_config
from tests.conftest import DEMO_CONFIG

CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"


def trigger(fixture_json, dedup_key: str, **payload: object) -> dict:
    body = copy.deepcopy(fixture_json("pagerduty-events-v2-trigger.json"))
    body["routing_key"] = CHECKOUT_KEY
    body["dedup_key"] = dedup_key
    body["payload"].update(payload)
    return body


def only_incident(http, platform, dedup_key: str) -> dict:
    assert platform.drain()
    incidents = http.get("/v1/incidents", params={"dedup_key": dedup_key}).json()["incidents"]
    assert len(incidents) == 1
    return incidents[0]


def test_enqueue_answers_exactly_like_pagerduty(http, fixture_json):
    response = http.post("/v2/enqueue", json=trigger(fixture_json, "h1"))
    assert response.status_code == 202
    assert response.json() == {"status": "success", "message": "Event processed", "dedup_key": "h1"}


def test_an_alert_too_large_for_the_bus_travels_by_reference_and_is_not_lost(http, platform, fixture_json):
    body = trigger(fixture_json, "big", custom_details={"log": "x" * 300_000})
    assert http.post("/v2/enqueue", json=body).status_code == 202
    incident = only_incident(http, platform, "big")
    assert len(http.get(f"/v1/incidents/{incident['id']}").json()["details"]["log"]) == 300_000


def test_a_trigger_without_dedup_key_gets_one_back_that_finds_its_incident(http, platform, fixture_json):
    body = trigger(fixture_json, "unused")
    del body["dedup_key"]
    generated = http.post("/v2/enqueue", json=body).json()["dedup_key"]
    assert only_incident(http, platform, generated)["status"] == "triggered"


def test_acknowledge_through_the_api_names_the_token(http, platform, fixture_json):
    http.post("/v2/enqueue", json=trigger(fixture_json, "ack-me"))
    incident = only_incident(http, platform, "ack-me")
    acked = http.post(f"/v1/incidents/{incident['id']}/acknowledge").json()
    assert (acked["status"], acked["acknowledged_by"]) == ("acknowledged", "token:local")
    kinds = [e["kind"] for e in http.get(f"/v1/incidents/{incident['id']}/timeline").json()["timeline"]]
    assert [k for k in kinds if k in ("triggered", "acknowledged")] == ["triggered", "acknowledged"]


def test_change_events_are_accepted_open_no_incident_and_are_read_newest_first(http, platform, fixture_json):
    for n, at in enumerate(["2026-11-27T00:00:00Z", "2026-11-27T02:00:00Z", "2026-11-27T01:00:00Z"]):
        body = fixture_json("pagerduty-change-event.json")
        body = {
            **body,
            "routing_key": CHECKOUT_KEY,
            "payload": {**body["payload"], "summary": f"v{n}", "timestamp": at},
        }
        assert http.post("/v2/change/enqueue", json=body).status_code == 202
    assert platform.drain()
    assert http.get("/v1/incidents").json()["incidents"] == []

    first = http.get("/v1/services/checkout/timeline", params={"limit": 2}).json()
    assert [(e["kind"], e["message"]) for e in first["timeline"]] == [("change", "v1"), ("change", "v2")]
    assert first["timeline"][0]["data"]["source"] == "ci"
    rest = http.get("/v1/services/checkout/timeline", params={"limit": 2, "next": first["next"]}).json()
    assert ([e["message"] for e in rest["timeline"]], rest["next"]) == (["v0"], None)
    assert http.get("/v1/services/payments/timeline").json() == {"timeline": [], "next": None}
    unknown = http.get("/v1/services/nope/timeline")
    assert (unknown.status_code, unknown.json()["message"]) == (404, "service nope not found")

    created = http.post(
        "/v1/tokens", json={"name": "payments-only", "role": "observer", "services": ["payments"]}
    )
    scoped = {"Authorization": f"Bearer {created.json()['secret']}"}
    assert http.get("/v1/services/checkout/timeline", headers=scoped).status_code == 404
    assert http.get("/v1/services/payments/timeline", headers=scoped).status_code == 200


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/v1/integrations/alertmanager", {}, 401),
        ("/v1/integrations/alertmanager", {"Authorization": "Bearer wrong-key-wrong-key"}, 401),
        ("/v1/integrations/alertmanager", {"Authorization": f"Bearer {CHECKOUT_KEY}"}, 401),
        ("/v1/integrations/alertmanager/KLAXON-DEMO-ALERTMANAGER-KEY-001", {}, 202),
    ],
)
def test_integration_keys_are_checked_per_kind(http, fixture_json, path, headers, status):
    body = fixture_json("alertmanager-v4-firing.json")
    response = http.post(path, json=body, headers={"Authorization": "", **headers})
    assert response.status_code == status, response.text


def test_api_refuses_requests_without_a_valid_token(platform):
    import httpx

    assert httpx.get(f"{platform.url}/v1/incidents").status_code == 401
    bad = httpx.get(f"{platform.url}/v1/incidents", headers={"Authorization": "Bearer nope"})
    assert (bad.status_code, bad.json()["message"]) == (401, "unknown, expired or revoked API token")
    assert httpx.get(f"{platform.url}/healthz").json()["status"] == "ok"


def test_listing_rejects_an_unknown_status_with_a_clear_400(http):
    response = http.get("/v1/incidents", params={"status": "sleeping"})
    assert response.status_code in (400, 422)
    assert "status" in response.text


def test_the_running_configuration_is_readable_without_secrets(http):
    config = http.get("/v1/config").json()
    assert {s["id"] for s in config["services"]} == {"checkout", "payments", "search", "platform"}
    for integration in config["integrations"]:
        assert not {"key", "key_hash", "key_digest", "secret"} & set(integration)
        assert re.fullmatch(r"KLAXON-…[\w-]{4}", integration["key_hint"])  # prefix and last four only
    assert "KLAXON-DEMO" not in http.get("/v1/config").text
    assert not re.search(r"[0-9a-f]{64}", http.get("/v1/config").text)  # no hash, no digest


def test_config_can_be_replaced_through_the_api(http, fixture_json):
    stored = load_config(DEMO_CONFIG).stored()  # what `klaxon config apply` sends: keys as SHA-256
    stored["services"] = [s for s in stored["services"] if s["id"] != "search"]
    page = stored["statuspage"]
    page["components"] = [c for c in page["components"] if c["id"] != "search"]  # it follows search
    stored["maintenance_windows"] = [
        w for w in stored["maintenance_windows"] if "search" not in w["services"]
    ]
    for tracker in stored["postmortems"]["trackers"]:  # and the tracker that takes its action items
        tracker["services"] = [s for s in tracker["services"] if s != "search"]
    applied = http.put("/v1/config", json=stored)
    assert applied.status_code == 200, applied.text
    assert applied.json()["applied"]["services"] == 3


def test_an_invalid_config_is_refused_with_paths(http):
    response = http.put("/v1/config", json={"users": []})
    assert response.status_code == 400
    assert any("users" in e for e in response.json()["errors"])


def test_an_incidents_timeline_pages_follow_each_other_to_the_end(http, platform, fixture_json):
    http.post("/v2/enqueue", json=trigger(fixture_json, "paged-timeline"))
    incident = only_incident(http, platform, "paged-timeline")
    http.post(f"/v1/incidents/{incident['id']}/acknowledge")
    http.post(f"/v1/incidents/{incident['id']}/resolve")
    assert platform.drain(30)  # the status page's entries follow the resolve
    path = f"/v1/incidents/{incident['id']}/timeline"
    whole = http.get(path).json()
    assert whole["next"] is None and len(whole["timeline"]) >= 3

    walked, params = [], {"limit": 1}
    while True:
        page = http.get(path, params=params).json()
        walked += page["timeline"]
        if page["next"] is None:
            break
        params = {"limit": 1, "next": page["next"]}
    assert walked == whole["timeline"]

    refused = http.get(path, params={"next": "bm90IGEgY3Vyc29y"})
    assert (refused.status_code, refused.json()["message"]) == (400, "invalid cursor")
    too_few = http.get(path, params={"limit": 0})
    assert too_few.status_code == 400, too_few.text

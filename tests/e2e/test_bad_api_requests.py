"""Bad API requests are refused with a 4xx and a JSON message saying why, never a 5xx."""

from __future__ import annotations

import json

import pytest

from tests.e2e.support import CHECKOUT_KEY, Platform, assert_refused, unique

pytestmark = pytest.mark.e2e


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic a2xheG9uOmtsYXhvbg=="}],
    ids=["no token", "unknown token", "not a bearer token"],
)
def test_api_without_a_valid_token_is_unauthorized(platform: Platform, headers: dict[str, str]) -> None:
    response = platform.anonymous.get("/v1/incidents", headers=headers)

    assert_refused(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nope"), ("GET", "/v1/nope"), ("GET", "/v2/enqueue"), ("DELETE", "/v1/incidents/abc")],
)
def test_unknown_route_is_not_found(platform: Platform, method: str, path: str) -> None:
    response = platform.api.request(method, path)

    body = assert_refused(response, 404)
    assert path in body["message"]


@pytest.mark.parametrize(
    ("method", "suffix"), [("GET", ""), ("GET", "/timeline"), ("POST", "/acknowledge"), ("POST", "/resolve")]
)
def test_unknown_incident_is_not_found(platform: Platform, method: str, suffix: str) -> None:
    missing = unique("no-such-incident")

    response = platform.api.request(method, f"/v1/incidents/{missing}{suffix}")

    assert missing in assert_refused(response, 404)["message"]


def test_acknowledging_a_resolved_incident_is_a_conflict(platform: Platform) -> None:
    dedup_key = unique("api-conflict")
    event = {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {"summary": "Checkout errors", "source": "web-1", "severity": "error"},
    }
    assert platform.anonymous.post("/v2/enqueue", json=event).status_code == 202
    incident = platform.await_incident("checkout", dedup_key)
    assert platform.api.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200

    response = platform.api.post(f"/v1/incidents/{incident['id']}/acknowledge")

    assert "resolved" in assert_refused(response, 409)["message"]
    assert platform.incident(incident["id"])["status"] == "resolved"


def test_cursor_the_api_never_returned_is_refused(platform: Platform) -> None:
    response = platform.api.get("/v1/incidents", params={"next": "not-a-cursor"})

    assert_refused(response, 400)


@pytest.mark.parametrize(
    ("params", "mentioned"),
    [({"status": "exploded"}, "status"), ({"limit": "0"}, "limit"), ({"limit": "many"}, "limit")],
)
def test_query_parameter_of_the_wrong_type_is_refused_naming_it(
    platform: Platform, params: dict[str, str], mentioned: str
) -> None:
    response = platform.api.get("/v1/incidents", params=params)

    body = assert_refused(response, 400)
    assert any(mentioned in error for error in body["errors"]), body


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"users: [alice", id="not JSON"),
        pytest.param(_json(["users"]), id="not an object"),
        pytest.param(_json({"users": 5}), id="section of the wrong type"),
    ],
)
def test_invalid_configuration_is_refused_and_changes_nothing(platform: Platform, body: bytes) -> None:
    before = platform.api.get("/v1/config").json()

    response = platform.api.put("/v1/config", content=body)

    assert_refused(response, 400)
    assert platform.api.get("/v1/config").json() == before

"""The Asana mock itself: it answers what Asana's description allows as Asana would, refuses (422, recorded
in `violations`) what the description does not allow, and its webhook helpers are shaped as Asana's
webhooks guide describes."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tests.fakes.asana_server import AsanaServer, asana_events, asana_handshake, check_request

PROJECT = "1200000000000001"
TASK = {
    "name": "Add a runbook for disk alerts",
    "notes": "From INC-42",
    "projects": [PROJECT],
    "due_on": "2026-07-01",
}


@pytest.fixture
def asana() -> Iterator[AsanaServer]:
    with AsanaServer() as server:
        yield server


def client(asana: AsanaServer, token: str = "asana-test-token") -> httpx.Client:
    return httpx.Client(base_url=asana.url + "/api/1.0", headers={"Authorization": f"Bearer {token}"})


def test_a_valid_create_is_answered_201_and_reads_back_with_opt_fields(asana: AsanaServer) -> None:
    with client(asana) as http:
        created = http.post("/tasks", json={"data": TASK})
        assert created.status_code == 201, created.text
        task = created.json()["data"]
        gid = task["gid"]
        assert gid.isdigit() and asana.state.tasks[gid]["name"] == TASK["name"]
        assert task["permalink_url"] == f"https://app.asana.com/0/{PROJECT}/{gid}"
        assert task["completed"] is False and task["completed_at"] is None
        assert task["notes"] == "From INC-42" and task["html_notes"] == "<body>From INC-42</body>"
        assert [p["gid"] for p in task["projects"]] == [PROJECT] and task["due_on"] == "2026-07-01"

        read = http.get(f"/tasks/{gid}", params={"opt_fields": "completed,completed_at,projects.name"})
        assert read.status_code == 200
        assert read.json() == {
            "data": {"gid": gid, "completed": False, "completed_at": None, "projects": [{"gid": PROJECT}]}
        }
        assert http.get(f"/tasks/{gid}", params={"opt_pretty": "true"}).json()["data"] == task
        assert http.get(f"/tasks/{gid}?opt_pretty").status_code == 200

        missing = http.get("/tasks/1200000000009999")
        assert missing.status_code == 404
        assert missing.json() == {"errors": [{"message": "task: Unknown object: 1200000000009999"}]}
    assert asana.state.violations == []
    assert [m for m, _ in asana.state.calls] == ["POST", "GET", "GET", "GET", "GET"]


def test_a_project_that_does_not_exist_is_answered_400_as_asana_does(asana: AsanaServer) -> None:
    with client(asana) as http:
        answer = http.post("/tasks", json={"data": {**TASK, "projects": ["1200000000000777"]}})
    assert answer.status_code == 400
    assert answer.json() == {"errors": [{"message": "projects: Not a recognized ID: 1200000000000777"}]}
    assert asana.state.tasks == {} and asana.state.violations == []


@pytest.mark.parametrize(
    ("params", "body", "expected"),
    [
        ({}, {"data": {**TASK, "priority": "high"}}, "body.data: Additional properties are not allowed"),
        ({}, {"data": {**TASK, "name": 42}}, "body.data.name: 42 is not of type 'string'"),
        ({}, {"data": {**TASK, "due_on": "next week"}}, "body.data.due_on: 'next week' is not a 'date'"),
        ({}, {"data": {**TASK, "gid": "1"}}, "body.data.gid: '1' is read-only"),
        ({}, {"data": {**TASK, "permalink_url": "x"}}, "body.data: Additional properties are not allowed"),
        ({}, {"task": TASK}, "body: Additional properties are not allowed ('task' was unexpected)"),
        ({"limit": "10"}, {"data": TASK}, "query 'limit' is not described"),
        ({"opt_fields": "name,colour"}, {"data": TASK}, "'colour' is not one of the"),
        ({"opt_pretty": "yes"}, {"data": TASK}, "'yes' is not of type 'boolean'"),
    ],
)
def test_what_the_description_does_not_allow_is_a_violation_and_refused(
    asana: AsanaServer, params: dict[str, str], body: object, expected: str
) -> None:
    with client(asana) as http:
        answer = http.post("/tasks", params=params, json=body)
    assert answer.status_code == 422
    assert len(asana.state.violations) == 1 and expected in asana.state.violations[0]
    assert answer.json() == {"errors": [{"message": asana.state.violations[0]}]}
    assert asana.state.tasks == {}


def test_readonly_fields_are_not_required_in_a_request_and_nullable_admits_null() -> None:
    """TaskCreateRequest is an allOf chain over TaskCompact, whose gid and resource_type are read-only."""
    body = {"data": {"name": "n", "projects": [PROJECT], "assignee": None, "due_on": None, "parent": None}}
    assert check_request("POST", "/api/1.0/tasks", body) == ("/tasks", {}, [])
    assert check_request("POST", "/api/1.0/tasks", {"data": {"completed_at": None}})[2] == [
        "POST /tasks: body.data.completed_at: None is read-only: Asana sets it, a request may not"
    ]


def test_undescribed_operations_and_paths_outside_the_base_are_violations(asana: AsanaServer) -> None:
    with client(asana) as http:
        assert http.get("/tasks").status_code == 422
        assert http.delete("/tasks/1").status_code == 422
        assert http.post("/tasks").status_code == 422  # the body is required
    assert httpx.get(asana.url + "/tasks/1").status_code == 422
    assert asana.state.violations == [
        "GET /api/1.0/tasks is not described",
        "DELETE /api/1.0/tasks/1 is not described",
        "POST /tasks: a JSON body is required",
        "GET /tasks/1 is not described",
    ]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "asana-test-token"}]
)
def test_without_the_bearer_token_it_is_401(asana: AsanaServer, headers: dict[str, str]) -> None:
    answer = httpx.post(asana.url + "/api/1.0/tasks", json={"data": TASK}, headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"errors": [{"message": "Not Authorized"}]}
    assert asana.state.tasks == {} and asana.state.violations == []


def test_fail_answers_the_next_requests_without_effect_then_recovers(asana: AsanaServer) -> None:
    asana.state.fail(2)
    with client(asana) as http:
        for _ in range(2):
            failed = http.post("/tasks", json={"data": TASK})
            assert failed.status_code == 503
            assert failed.json() == {"errors": [{"message": "Service Unavailable"}]}
        assert asana.state.tasks == {}
        asana.state.fail(1, status=429)
        limited = http.post("/tasks", json={"data": TASK})
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
        assert http.post("/tasks", json={"data": TASK}).status_code == 201
    assert len(asana.state.tasks) == 1 and asana.state.violations == []


def test_complete_shows_in_the_task(asana: AsanaServer) -> None:
    with client(asana) as http:
        gid = http.post("/tasks", json={"data": TASK}).json()["data"]["gid"]
        asana.state.complete(gid)
        task = http.get(f"/tasks/{gid}", params={"opt_fields": "completed,completed_at"}).json()["data"]
    assert task["gid"] == gid and task["completed"] is True
    assert datetime.fromisoformat(task["completed_at"].replace("Z", "+00:00")).tzinfo is not None
    assert asana.state.violations == []


def test_the_handshake_is_an_empty_post_carrying_the_secret() -> None:
    body, headers = asana_handshake("b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81")
    assert body == b""
    assert headers == {"X-Hook-Secret": "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"}


def test_events_are_a_signed_changed_event_on_the_task() -> None:
    body, headers = asana_events("1200000000001001", "hook-secret")
    expected = hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Hook-Signature"], expected)
    assert headers["Content-Type"] == "application/json"
    (event,) = json.loads(body)["events"]
    assert event["action"] == "changed" and event["parent"] is None
    assert event["resource"] == {
        "gid": "1200000000001001",
        "resource_type": "task",
        "resource_subtype": "default_task",
    }
    assert event["change"] == {"field": "completed", "action": "changed"}
    assert event["user"]["resource_type"] == "user" and event["user"]["gid"].isdigit()
    assert datetime.fromisoformat(event["created_at"].replace("Z", "+00:00")).tzinfo is not None
    other, _ = asana_events("1200000000001001", "hook-secret", field="name")
    assert json.loads(other)["events"][0]["change"]["field"] == "name"
    assert not hmac.compare_digest(hmac.new(b"other-secret", body, hashlib.sha256).hexdigest(), expected)

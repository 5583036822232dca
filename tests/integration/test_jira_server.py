"""The Jira Cloud mock itself: it refuses what Atlassian's description and the ADF schema do not allow, and
answers the rest as Jira does."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.fakes.jira_server import DONE, TO_DO, JiraServer, check_request, jira_webhook

DESCRIPTION = {
    "type": "doc",
    "version": 1,
    "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Checkout: 5xx"}]},
        {
            "type": "paragraph",
            "content": [
                {"type": "text", "text": "Incident ", "marks": [{"type": "strong"}]},
                {
                    "type": "text",
                    "text": "#7",
                    "marks": [{"type": "link", "attrs": {"href": "https://klaxon.acme.test/incidents/7"}}],
                },
            ],
        },
    ],
}


def issue(summary: str = "Checkout: 5xx above 5%", project: str = "OPS", **fields: Any) -> dict[str, Any]:
    return {
        "fields": {
            "project": {"key": project},
            "issuetype": {"name": "Task"},
            "summary": summary,
            "description": DESCRIPTION,
            **fields,
        }
    }


@pytest.fixture
def jira() -> Iterator[JiraServer]:
    with JiraServer() as server:
        yield server


@pytest.fixture
def client(jira: JiraServer) -> Iterator[httpx.Client]:
    auth = (jira.state.email, jira.state.token)
    with httpx.Client(base_url=f"{jira.url}/rest/api/3", auth=auth, timeout=5) as session:
        yield session


def test_an_issue_with_an_adf_description_is_created_read_back_and_found_by_search(jira, client):
    jira.state.projects.add("SEC")
    created = [client.post("/issue", json=issue(project=p)) for p in ("OPS", "OPS", "SEC")]
    assert [r.status_code for r in created] == [201, 201, 201]
    assert created[0].json() == {"id": "10001", "key": "OPS-1", "self": f"{jira.url}/rest/api/3/issue/10001"}
    assert [r.json()["key"] for r in created] == ["OPS-1", "OPS-2", "SEC-1"]

    read = client.get("/issue/OPS-1").json()
    assert (read["id"], read["key"], read["self"]) == ("10001", "OPS-1", f"{jira.url}/rest/api/3/issue/10001")
    assert read["fields"]["description"] == DESCRIPTION
    assert read["fields"]["status"] == TO_DO
    assert read["fields"]["resolutiondate"] is None
    assert client.get("/issue/10002").json()["key"] == "OPS-2"
    only = client.get("/issue/OPS-1", params={"fields": "summary,status"}).json()["fields"]
    assert only == {"summary": "Checkout: 5xx above 5%", "status": TO_DO}

    missing = client.post("/search/jql", json={"jql": "key in (OPS-1, OPS-9)", "fields": ["status"]})
    assert missing.status_code == 400  # as Jira: one key that does not exist fails the whole query
    assert missing.json()["errorMessages"] == ["An issue with key 'OPS-9' does not exist for field 'key'."]
    found = client.post("/search/jql", json={"jql": "key in (OPS-1, SEC-1)", "fields": ["status"]})
    assert found.status_code == 200
    assert found.json()["isLast"] is True
    assert [(i["key"], i["fields"]) for i in found.json()["issues"]] == [
        ("OPS-1", {"status": TO_DO}),
        ("SEC-1", {"status": TO_DO}),
    ]
    # Like Jira's enhanced search, only ids unless fields are asked for.
    bare = client.post("/search/jql", json={"jql": "key in (OPS-2)"}).json()
    assert bare["issues"] == [{"id": "10002"}]
    assert client.get("/issue/OPS-9").json() == {
        "errorMessages": ["Issue does not exist or you do not have permission to see it."]
    }
    assert jira.state.violations == []
    assert jira.state.calls[0] == ("POST", "/rest/api/3/issue")


def test_a_description_that_is_not_adf_or_a_body_the_description_does_not_allow_is_a_422_violation(
    jira, client
):
    plain = client.post("/issue", json=issue(description="Checkout is down"))
    assert plain.status_code == 422
    assert jira.state.violations == [
        "POST /rest/api/3/issue: body: fields.description is not ADF: $: "
        "'Checkout is down' is not of type 'object'"
    ]
    assert plain.json()["errorMessages"] == jira.state.violations
    assert jira.state.issues == {}
    jira.state.violations.clear()

    paging = client.post("/search/jql", json={"jql": "key in (OPS-1)", "startAt": 0})
    assert paging.status_code == 422
    assert jira.state.violations == [
        "POST /rest/api/3/search/jql: body: Additional properties are not allowed ('startAt' was unexpected)"
    ]
    jira.state.violations.clear()

    text = client.post("/search/jql", json={"jql": "project = OPS"})
    assert text.status_code == 400
    assert [v.split(" (")[0] for v in jira.state.violations] == [
        "POST /rest/api/3/search/jql: unsupported JQL 'project = OPS'"
    ]
    jira.state.violations.clear()

    # A refusal Jira itself gives is an answer, not a violation.
    elsewhere = client.post("/issue", json=issue(project="ENG"))
    assert elsewhere.status_code == 400
    assert elsewhere.json() == {"errorMessages": [], "errors": {"project": "valid project is required"}}
    assert jira.state.violations == []


def test_check_request_points_into_the_adf_and_at_what_is_not_described():
    empty_text = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": ""}]}],
    }
    assert check_request("POST", "/rest/api/3/issue", {"fields": {"description": empty_text}})[2] == [
        "POST /rest/api/3/issue: body: fields.description is not ADF: $.content[0].content[0].text: "
        "'' should be non-empty"
    ]
    bold = json.loads(json.dumps(DESCRIPTION).replace('"strong"', '"bold"'))
    [problem] = check_request("POST", "/rest/api/3/issue", {"fields": {"description": bold}})[2]
    assert problem.startswith("POST /rest/api/3/issue: body: fields.description is not ADF: $.content[1]")
    assert check_request("POST", "/rest/api/3/issue", {"fields": "OPS"})[2] == [
        "POST /rest/api/3/issue: body: 'OPS' is not of type 'object'"
    ]
    assert check_request("GET", "/rest/api/3/issue/OPS-1?expand=names&colour=red", None)[2] == [
        "GET /rest/api/3/issue/{issueIdOrKey}: query 'colour' is not described"
    ]
    assert check_request("DELETE", "/rest/api/3/search/jql", None)[2] == [
        "DELETE /rest/api/3/search/jql is not described"
    ]
    assert check_request("GET", "/rest/api/2/issue/OPS-1", None)[:2] == (None, {})
    assert check_request("GET", "/rest/api/3/issue/OPS-1", None)[:2] == (
        "/rest/api/3/issue/{issueIdOrKey}",
        {"issueIdOrKey": "OPS-1"},
    )


def test_anything_but_basic_auth_with_the_email_and_token_is_401(jira, client):
    unauthenticated = {"errorMessages": ["Client must be authenticated to access this resource."]}
    for auth in (None, (jira.state.email, "wrong"), ("someone@acme.test", jira.state.token)):
        answer = httpx.post(f"{jira.url}/rest/api/3/issue", json=issue(), auth=auth)
        assert (answer.status_code, answer.json()) == (401, unauthenticated)
    bearer = {"Authorization": f"Bearer {jira.state.token}"}
    assert httpx.get(f"{jira.url}/rest/api/3/issue/OPS-1", headers=bearer).status_code == 401
    assert jira.state.issues == {}
    assert jira.state.violations == []


def test_fail_answers_503_then_jira_recovers_and_nothing_was_created_meanwhile(jira, client):
    jira.state.fail(2)
    for _ in range(2):
        answer = client.post("/issue", json=issue())
        assert (answer.status_code, answer.json()) == (503, {"errorMessages": ["Service Unavailable"]})
    assert jira.state.issues == {}
    jira.state.fail(1, 400)
    refused = client.post("/issue", json=issue())
    assert (refused.status_code, refused.json()) == (400, {"errorMessages": ["Bad Request"], "errors": {}})
    assert client.post("/issue", json=issue()).json()["key"] == "OPS-1"
    assert len(jira.state.calls) == 4
    assert jira.state.violations == []


def test_a_completed_issue_reads_done_with_a_resolution_date(jira, client):
    key = client.post("/issue", json=issue()).json()["key"]
    jira.state.complete(key)
    fields = client.get(f"/issue/{key}").json()["fields"]
    assert fields["status"] == DONE
    assert datetime.fromisoformat(fields["resolutiondate"]).tzinfo is not None
    assert jira.state.violations == []


def test_the_webhook_is_an_issue_updated_delivery_signed_with_the_secret(jira, client):
    key = client.post("/issue", json=issue()).json()["key"]
    raw, headers = jira_webhook(jira.state.complete(key), "whsec-jira")
    expected = hmac.new(b"whsec-jira", raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Hub-Signature"], f"sha256={expected}")
    assert headers["Content-Type"].startswith("application/json")
    assert headers["X-Atlassian-Webhook-Identifier"]
    body = json.loads(raw)
    assert (body["webhookEvent"], body["issue"]["key"]) == ("jira:issue_updated", key)
    assert isinstance(body["timestamp"], int)
    assert body["issue"]["fields"]["status"] == DONE
    [change] = body["changelog"]["items"]
    assert (change["field"], change["fromString"], change["toString"]) == ("status", "To Do", "Done")
    tampered = raw.replace(b"Done", b"Open")
    assert hmac.new(b"whsec-jira", tampered, hashlib.sha256).hexdigest() != expected

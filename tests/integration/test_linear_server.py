"""The Linear mock itself: it takes what Linear's schema allows, refuses the rest as Linear does and
records it, and signs webhook deliveries as Linear does."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.linear_server import TEAM_ID, LinearServer, linear_webhook

CREATE = """
mutation IssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) {
    success
    lastSyncId
    issue { id identifier title url completedAt canceledAt state { id name type } team { id key name } }
  }
}
"""
ISSUES = """
query Issues($ids: [ID!], $first: Int) {
  issues(filter: { id: { in: $ids } }, first: $first) {
    nodes { id identifier title url completedAt canceledAt state { id name type } team { id key name } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ISSUE = "query Issue($id: String!) { issue(id: $id) { id identifier state { name type } completedAt } }"


@pytest.fixture
def linear() -> Iterator[LinearServer]:
    with LinearServer() as server:
        yield server


def post(
    linear: LinearServer, query: str, key: str | None = "lin_api_test", **variables: Any
) -> httpx.Response:
    headers = {"Authorization": key} if key is not None else {}
    return httpx.post(f"{linear.url}/graphql", json={"query": query, "variables": variables}, headers=headers)


def create(linear: LinearServer, title: str) -> dict[str, Any]:
    answer = post(linear, CREATE, input={"teamId": TEAM_ID, "title": title, "description": "From Klaxon"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["issueCreate"]["success"] is True
    return answer.json()["data"]["issueCreate"]["issue"]


def test_an_issue_created_with_variables_is_found_by_id(linear):
    first, second = create(linear, "Checkout: 5xx above 5%"), create(linear, "Search is slow")
    assert first["identifier"] == "ENG-1" and second["identifier"] == "ENG-2"
    assert first["url"] == "https://linear.app/acme/issue/ENG-1/checkout-5xx-above-5"
    assert first["state"]["name"] == "Todo" and first["state"]["type"] == "unstarted"
    assert first["team"] == {"id": TEAM_ID, "key": "ENG", "name": "Engineering"}
    assert (first["completedAt"], first["canceledAt"]) == (None, None)
    answer = post(linear, ISSUES, ids=[second["id"], "no-such-id"], first=10)
    assert answer.status_code == 200, answer.text
    found = answer.json()["data"]["issues"]
    assert found["nodes"] == [second]
    assert found["pageInfo"] == {"hasNextPage": False, "endCursor": second["id"]}
    assert post(linear, ISSUES, ids=[first["id"], second["id"]], first=1).json()["data"]["issues"][
        "pageInfo"
    ] == {"hasNextPage": True, "endCursor": first["id"]}
    by_identifier = post(linear, ISSUE, id="ENG-2").json()["data"]["issue"]
    assert by_identifier["id"] == second["id"]
    assert linear.state.issues[second["id"]]["description"] == "From Klaxon"
    assert linear.state.violations == []
    assert [c["query"] for c in linear.state.calls] == [CREATE, CREATE, ISSUES, ISSUES, ISSUE]


def test_what_the_schema_does_not_allow_is_a_violation_and_a_400(linear):
    misspelt = post(linear, "query { issues { nodes { id titel } } }")
    assert misspelt.status_code == 400
    [error] = misspelt.json()["errors"]
    assert error["message"].startswith("Cannot query field 'titel' on type 'Issue'. Did you mean 'title'")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    wrong_type = post(linear, ISSUES, ids=[{"id": "ENG-1"}], first="ten")
    assert wrong_type.status_code == 400
    assert {e["extensions"]["code"] for e in wrong_type.json()["errors"]} == {"BAD_USER_INPUT"}
    unknown_input = post(linear, CREATE, input={"teamId": TEAM_ID, "name": "x"})
    assert unknown_input.status_code == 400
    assert len(linear.state.violations) == 4, linear.state.violations
    assert linear.state.violations[0].startswith("GRAPHQL_VALIDATION_FAILED: Cannot query field 'titel'")
    assert "Int cannot represent non-integer value: 'ten'" in " ".join(linear.state.violations)
    assert "'IssueCreateInput' not to include unknown field 'name'" in linear.state.violations[3]
    assert linear.state.issues == {}


def test_an_unknown_team_is_linears_entity_error_and_nothing_is_created(linear):
    answer = post(linear, CREATE, input={"teamId": "00000000-0000-4000-8000-000000000000", "title": "x"})
    assert answer.status_code == 400
    assert answer.json()["data"] is None
    [error] = answer.json()["errors"]
    assert (error["message"], error["path"]) == ("Entity not found: Team", ["issueCreate"])
    assert error["extensions"]["code"] == "INPUT_ERROR"
    assert error["extensions"]["userPresentableMessage"] == "Could not find referenced Team."
    assert linear.state.issues == {} and linear.state.violations == []


def test_only_the_bare_api_key_is_accepted(linear):
    for key in (None, "lin_api_wrong", "Bearer lin_api_test"):
        answer = post(linear, ISSUES, key=key, ids=[])
        assert answer.status_code == 401
        assert answer.json()["errors"][0]["extensions"]["code"] == "AUTHENTICATION_ERROR"
    assert post(linear, ISSUES, ids=[]).status_code == 200


def test_fail_answers_the_status_without_effect_then_recovers(linear):
    linear.state.fail(2)
    title = {"teamId": TEAM_ID, "title": "x"}
    assert [post(linear, CREATE, input=title).status_code for _ in range(2)] == [503, 503]
    assert linear.state.issues == {}
    linear.state.fail(1, status=429)
    assert post(linear, CREATE, input=title).status_code == 429
    assert create(linear, "x")["identifier"] == "ENG-1"
    assert len(linear.state.issues) == 1


def test_complete_shows_as_a_completed_state(linear):
    issue = create(linear, "Checkout: 5xx above 5%")
    linear.state.complete("ENG-1")
    found = post(linear, ISSUE, id=issue["id"]).json()["data"]["issue"]
    assert found["state"] == {"name": "Done", "type": "completed"}
    assert found["completedAt"].endswith("Z")
    missing = post(linear, ISSUE, id="ENG-99")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["message"] == "Entity not found: Issue"


def test_a_webhook_delivery_is_signed_with_the_signing_secret(linear):
    create(linear, "Checkout: 5xx above 5%")
    issue = linear.state.complete("ENG-1")
    body, headers = linear_webhook(issue, "whsec", at_ms=1_790_000_000_000)
    expected = hmac.new(b"whsec", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["Linear-Signature"], expected)
    assert headers["Linear-Event"] == "Issue" and headers["Content-Type"].startswith("application/json")
    assert len(headers["Linear-Delivery"]) == 36
    payload = json.loads(body)
    assert (payload["action"], payload["type"], payload["webhookTimestamp"]) == (
        "update",
        "Issue",
        1_790_000_000_000,
    )
    assert payload["createdAt"] == "2026-09-21T14:13:20.000Z"
    assert payload["data"]["identifier"] == "ENG-1"
    assert payload["data"]["state"]["type"] == "completed"
    assert payload["data"]["completedAt"] == issue["completedAt"]
    assert payload["updatedFrom"]["completedAt"] is None
    created, _ = linear_webhook(issue, "whsec", action="create")
    assert "updatedFrom" not in json.loads(created)
    assert abs(json.loads(created)["webhookTimestamp"] - time.time() * 1000) < 60_000

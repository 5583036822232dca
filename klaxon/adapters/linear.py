"""Action items as Linear issues (GraphQL API): `issueCreate` with the item's id made into the issue's
(uuid5), so a retry after a lost answer finds the same issue instead of making a second; done when the
issue's workflow state is `completed`, asked for with `issues(filter: {id: {in: [...]}})`. Linear signs
its webhooks: `Linear-Signature` is the HMAC-SHA256 of the body under the webhook's signing secret, and
`webhookTimestamp` (ms) must be within a minute."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from klaxon.adapters.tracker_http import TIMEOUT_SECONDS, call, completed_at, ticket_lines
from klaxon.domain.incident.models import Priority
from klaxon.domain.postmortem.actions import Completion, Ticket, TrackerFailed, TrackerKind, TrackerTarget
from klaxon.domain.postmortem.models import ActionItem, Postmortem

DEFAULT_API_URL = "https://api.linear.app/graphql"
ITEMS = uuid.UUID("9b2f1c4e-7d3a-5e8b-a1c6-2f4d8e9b0a17")  # the namespace of action items' issue ids
PRIORITIES = {Priority.P1: 1, Priority.P2: 2, Priority.P3: 3, Priority.P4: 4}
REPLAY_WINDOW_MS = 60_000
CREATE = """
mutation KlaxonActionItem($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier url } }
}
"""
FIND = """
query KlaxonActionItems($ids: [ID!]!) {
  issues(filter: {id: {in: $ids}}, first: 100) {
    nodes { id identifier url completedAt canceledAt state { type } }
  }
}
"""


class LinearTracker:
    def __init__(self, target: TrackerTarget, api_key: str, api_url: str = DEFAULT_API_URL) -> None:
        assert target.team is not None  # the config's rule
        self.target = target
        self.api_url = api_url
        self.client = httpx.Client(
            headers={"Authorization": api_key, "Content-Type": "application/json"}, timeout=TIMEOUT_SECONDS
        )

    def _graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = call(
            self.client, "Linear", "POST", self.api_url, (200,), json={"query": query, "variables": variables}
        )
        if answer.get("errors"):
            raise TrackerFailed(f"Linear refused: {answer['errors'][0].get('message', answer['errors'])}")
        data: dict[str, Any] = answer["data"]
        return data

    def file(self, item: ActionItem, postmortem: Postmortem, link: str) -> Ticket:
        issue_id = str(uuid.uuid5(ITEMS, item.id or item.title))
        found = self._graphql(FIND, {"ids": [issue_id]})["issues"]["nodes"]
        if not found:
            fields: dict[str, Any] = {
                "id": issue_id,
                "teamId": self.target.team,
                "title": item.title,
                "description": "\n\n".join(ticket_lines(item, postmortem, link)),
                "priority": PRIORITIES[item.priority],
            }
            if item.due:
                fields["dueDate"] = item.due.isoformat()
            created = self._graphql(CREATE, {"input": fields})["issueCreate"]
            if not created.get("success") or not created.get("issue"):
                raise TrackerFailed(f"Linear did not create the issue: {created}")
            found = [created["issue"]]
        issue = found[0]
        return Ticket(
            tracker=self.target.id,
            kind=TrackerKind.LINEAR,
            key=str(issue["identifier"]),
            id=str(issue["id"]),
            url=str(issue["url"]),
        )

    def completions(self, tickets: Sequence[Ticket]) -> dict[str, datetime | None]:
        found: dict[str, datetime | None] = {}
        for start in range(0, len(tickets), 100):
            ids = [t.id for t in tickets[start : start + 100]]
            for issue in self._graphql(FIND, {"ids": ids})["issues"]["nodes"]:
                found[str(issue["identifier"])] = done_at(issue)
        return found


def done_at(issue: Mapping[str, Any]) -> datetime | None:
    """When an issue was completed, or None while its state is not `completed` (canceled is not done)."""
    state = issue.get("state")
    if not isinstance(state, dict) or state.get("type") != "completed":
        return None
    return completed_at(issue.get("completedAt"))


def verified(
    body: bytes, signature: str | None, secret: str, delivery: Mapping[str, Any], now: datetime
) -> bool:
    """Whether `Linear-Signature` is the body's HMAC-SHA256 under the secret, sent within the last minute."""
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if signature is None or not hmac.compare_digest(expected, signature.strip()):
        return False
    stamp = delivery.get("webhookTimestamp")
    return isinstance(stamp, int) and abs(now.timestamp() * 1000 - stamp) <= REPLAY_WINDOW_MS


def completion(tracker: str, delivery: Mapping[str, Any]) -> Completion | None:
    """What an Issue delivery says of its issue; None for other types and for removals."""
    data = delivery.get("data")
    if delivery.get("type") != "Issue" or not isinstance(data, dict) or "identifier" not in data:
        return None
    if delivery.get("action") == "remove":
        return None
    return Completion(tracker=tracker, key=str(data["identifier"]), done_at=done_at(data))

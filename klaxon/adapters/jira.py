"""Action items as Jira Cloud issues (REST API v3): created with `POST /rest/api/3/issue`, the description
in Atlassian Document Format; done when the issue's status category is `done`, asked for in batches with
`POST /rest/api/3/search/jql`. Jira's webhooks (`jira:issue_updated`) are signed with the webhook's
secret: `X-Hub-Signature: sha256=<HMAC-SHA256 of the body>`."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from klaxon.adapters.tracker_http import TIMEOUT_SECONDS, call, completed_at, ticket_lines
from klaxon.domain.postmortem.actions import Completion, Ticket, TrackerKind, TrackerTarget
from klaxon.domain.postmortem.models import ActionItem, Postmortem

SEARCH_BATCH = 50
FIELDS = ["status", "resolutiondate"]
PARAMS = {"fields": ",".join(FIELDS)}


def adf(lines: Sequence[str], link: str) -> dict[str, Any]:
    """Lines as an Atlassian Document Format document: a paragraph each, the link's line a link."""
    content: list[dict[str, Any]] = []
    for line in lines:
        if link in line:
            before = line.split(link, 1)[0]
            marks = [{"type": "link", "attrs": {"href": link}}]
            text: list[dict[str, Any]] = [{"type": "text", "text": link, "marks": marks}]
            if before:
                text.insert(0, {"type": "text", "text": before})
            content.append({"type": "paragraph", "content": text})
        else:
            content.append({"type": "paragraph", "content": [{"type": "text", "text": line}]})
    return {"type": "doc", "version": 1, "content": content}


class JiraTracker:
    def __init__(self, target: TrackerTarget, email: str, api_token: str) -> None:
        assert target.site is not None and target.project is not None  # the config's rule
        self.target = target
        self.client = httpx.Client(
            base_url=target.site.rstrip("/"),
            auth=(email, api_token),
            headers={"Accept": "application/json"},
            timeout=TIMEOUT_SECONDS,
        )

    def file(self, item: ActionItem, postmortem: Postmortem, link: str) -> Ticket:
        fields: dict[str, Any] = {
            "project": {"key": self.target.project},
            "issuetype": {"name": self.target.issue_type},
            "summary": item.title,
            "description": adf(ticket_lines(item, postmortem, link), link),
            "labels": ["klaxon", f"klaxon-{item.kind.value}", f"incident-{postmortem.incident_number}"],
        }
        if item.due:
            fields["duedate"] = item.due.isoformat()
        created = call(self.client, "Jira", "POST", "/rest/api/3/issue", (201,), json={"fields": fields})
        key = str(created["key"])
        return Ticket(
            tracker=self.target.id,
            kind=TrackerKind.JIRA,
            key=key,
            id=str(created["id"]),
            url=f"{self.target.site}/browse/{key}",
        )

    def completions(self, tickets: Sequence[Ticket]) -> dict[str, datetime | None]:
        found: dict[str, datetime | None] = {}
        keys = [t.key for t in tickets]
        for start in range(0, len(keys), SEARCH_BATCH):
            found |= self._search(keys[start : start + SEARCH_BATCH])
        return found

    def _search(self, keys: list[str]) -> dict[str, datetime | None]:
        """One search for up to 50 keys; when Jira refuses it (400: a key no longer exists, as when an
        issue was deleted), each issue on its own, leaving out those that are gone."""
        query = {"jql": f"key in ({', '.join(keys)})", "fields": FIELDS, "maxResults": SEARCH_BATCH}
        path = "/rest/api/3/search/jql"
        answer = call(self.client, "Jira", "POST", path, (200, 400), json=query)
        if "issues" in answer:
            return {str(issue["key"]): done_at(issue) for issue in answer["issues"]}
        found: dict[str, datetime | None] = {}
        for key in keys:
            issue = call(self.client, "Jira", "GET", f"/rest/api/3/issue/{key}", (200, 404), params=PARAMS)
            if "key" in issue:
                found[str(issue["key"])] = done_at(issue)
        return found


def done_at(issue: Mapping[str, Any]) -> datetime | None:
    """When an issue was done (its resolution date, else now), or None while its status is not done."""
    fields = _object(issue.get("fields"))
    category = _object(_object(fields.get("status")).get("statusCategory")).get("key")
    if category != "done":
        return None
    return completed_at(fields.get("resolutiondate"))


def _object(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def verified(body: bytes, signature: str | None, secret: str) -> bool:
    """Whether `X-Hub-Signature` is the body's HMAC-SHA256 under the webhook's secret."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return signature is not None and hmac.compare_digest(expected, signature.strip())


def completion(tracker: str, delivery: Mapping[str, Any]) -> Completion | None:
    """What an `jira:issue_updated` delivery says of its issue; None for other events."""
    issue = delivery.get("issue")
    if not str(delivery.get("webhookEvent", "")).startswith("jira:issue") or not isinstance(issue, dict):
        return None
    if "key" not in issue:
        return None
    return Completion(tracker=tracker, key=str(issue["key"]), done_at=done_at(issue))

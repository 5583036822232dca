"""Action items as Asana tasks (REST API): `POST /tasks` in the configured project; done when the task is
`completed`, read with `GET /tasks/{gid}`. Asana's webhooks start with a handshake (the first POST carries
`X-Hook-Secret`, echoed back and kept); every later delivery is signed with it (`X-Hook-Signature`, the
HMAC-SHA256 of the body) and names the changed task alone, so its state is read back from Asana."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from klaxon.adapters.tracker_http import TIMEOUT_SECONDS, call, completed_at, ticket_lines
from klaxon.domain.postmortem.actions import Ticket, TrackerKind, TrackerTarget
from klaxon.domain.postmortem.models import ActionItem, Postmortem

DEFAULT_API_URL = "https://app.asana.com/api/1.0"


class AsanaTracker:
    def __init__(self, target: TrackerTarget, token: str, api_url: str = DEFAULT_API_URL) -> None:
        assert target.project is not None  # the config's rule
        self.target = target
        self.client = httpx.Client(
            base_url=api_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=TIMEOUT_SECONDS,
        )

    def file(self, item: ActionItem, postmortem: Postmortem, link: str) -> Ticket:
        task: dict[str, Any] = {
            "name": item.title,
            "notes": "\n\n".join(ticket_lines(item, postmortem, link)),
            "projects": [self.target.project],
        }
        if item.due:
            task["due_on"] = item.due.isoformat()
        created = call(self.client, "Asana", "POST", "/tasks", (201,), json={"data": task})["data"]
        gid = str(created["gid"])
        url = created.get("permalink_url") or f"https://app.asana.com/0/{self.target.project}/{gid}"
        return Ticket(tracker=self.target.id, kind=TrackerKind.ASANA, key=gid, id=gid, url=str(url))

    def completions(self, tickets: Sequence[Ticket]) -> dict[str, datetime | None]:
        found: dict[str, datetime | None] = {}
        for ticket in tickets:
            params = {"opt_fields": "completed,completed_at"}
            task = call(self.client, "Asana", "GET", f"/tasks/{ticket.id}", (200,), params=params)["data"]
            found[ticket.key] = done_at(task)
        return found


def done_at(task: Mapping[str, Any]) -> datetime | None:
    if not task.get("completed"):
        return None
    return completed_at(task.get("completed_at"))


def verified(body: bytes, signature: str | None, secret: str) -> bool:
    """Whether `X-Hook-Signature` is the body's HMAC-SHA256 under the handshake's secret."""
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return signature is not None and hmac.compare_digest(expected, signature.strip())


def changed_tasks(delivery: Mapping[str, Any]) -> list[str]:
    """The gids of the tasks a delivery's events changed."""
    events = delivery.get("events")
    if not isinstance(events, list):
        return []
    gids = [
        str(e["resource"]["gid"])
        for e in events
        if isinstance(e, dict)
        and isinstance(e.get("resource"), dict)
        and e["resource"].get("resource_type") == "task"
        and "gid" in e["resource"]
    ]
    return list(dict.fromkeys(gids))

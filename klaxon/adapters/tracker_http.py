"""What the tracker adapters share: one HTTP call whose failure (unreachable, or an answer it did not
expect) is a TrackerFailed naming the tracker, the call and what came back; and the text of a ticket
(what the action item is, whose, by when, and the link back to its post-mortem)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from klaxon.domain.postmortem.actions import TrackerFailed
from klaxon.domain.postmortem.models import ActionItem, Postmortem

TIMEOUT_SECONDS = 15


def call(client: httpx.Client, name: str, method: str, path: str, ok: tuple[int, ...], **kwargs: Any) -> Any:
    """The JSON answer of `method path`, or TrackerFailed."""
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as error:
        raise TrackerFailed(f"{name} could not be reached: {error}") from error
    if response.status_code not in ok:
        raise TrackerFailed(
            f"{name} answered {method} {path} with {response.status_code}: {response.text[:300]}"
        )
    try:
        return response.json()
    except ValueError as error:
        raise TrackerFailed(f"{name} answered {method} {path} with no JSON: {response.text[:300]}") from error


def completed_at(stamp: object) -> datetime:
    """A tracker's completion time (ISO 8601, `Z` or `+0000` alike) in UTC; now when it gives none."""
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


def ticket_lines(item: ActionItem, postmortem: Postmortem, link: str) -> list[str]:
    """The ticket's description, a line each: the action, whose and by when, where it came from."""
    lines = [
        f"Action item ({item.kind.value}, {item.priority.value}) from the post-mortem of incident "
        f"#{postmortem.incident_number}: {postmortem.title}.",
    ]
    if item.owner:
        lines.append(f"Owner: {item.owner}.")
    if item.due:
        lines.append(f"Due: {item.due.isoformat()}.")
    lines.append(f"Post-mortem: {link}")
    return lines

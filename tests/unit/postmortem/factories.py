"""Post-mortems for tests: one in a known state, any field given instead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from klaxon.domain.incident.models import Priority
from klaxon.domain.postmortem.actions import Ticket, TrackerKind
from klaxon.domain.postmortem.models import Postmortem

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
TICKET = Ticket(tracker="ops-jira", kind=TrackerKind.JIRA, key="OPS-1", id="1", url="https://jira.test/OPS-1")


def postmortem(**fields: Any) -> Postmortem:
    """The draft of incident #7's post-mortem (`inc1`), due two days after NOW, unless `fields` say else."""
    defaults: dict[str, Any] = {
        "incident_id": "inc1",
        "incident_number": 7,
        "title": "Checkout 5xx",
        "service": "checkout",
        "priority": Priority.P1,
        "owner": "dave",
        "due": NOW + timedelta(days=2),
        "created_at": NOW,
        "updated_at": NOW,
        "updated_by": "system:postmortem",
        "markdown": "# Post-mortem\n",
    }
    return Postmortem(**(defaults | fields))

"""The pinned summary of an incident's room and its one-line card in the announcements channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.chat.messages import ChatAction, ChatLink, ChatMessage, Fact
from klaxon.domain.incident.models import ROLES, Incident, IncidentStatus

_STATUS_WORD = {
    IncidentStatus.TRIGGERED: "Triggered",
    IncidentStatus.ACKNOWLEDGED: "Acknowledged",
    IncidentStatus.RESOLVED: "Resolved",
}
MAX_DASHBOARDS = 5  # of the alert's links, the first few: a summary is read at a glance


@dataclass(frozen=True)
class SummaryContext:
    """What the summary shows beyond the incident itself."""

    on_call: Sequence[str] = ()  # names of whoever the incident's policy pages first, now
    room_name: str | None = None
    incident_url: str | None = None  # the incident in the API
    status_page_url: str | None = None  # its public status page incident, if it has one
    facts: Sequence[Fact] = ()  # more lines from other features (SLA budgets), shown after the rest


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def summary_of(incident: Incident, context: SummaryContext) -> ChatMessage:
    """The room's pinned message: what it is, how bad, where it stands, who is on it, where to look."""
    status = _STATUS_WORD[incident.status]
    facts = [
        Fact("Status", status),
        Fact("Priority", f"{incident.priority} ({incident.urgency} urgency)"),
        Fact("Service", incident.service),
        Fact("On call", ", ".join(context.on_call) or "nobody found on the policy"),
        Fact("Opened", _when(incident.created_at)),
    ]
    for role in ROLES:
        if role in incident.roles:
            facts.append(Fact(role.capitalize(), incident.roles[role]))
    if "commander" not in incident.roles:
        facts.append(Fact("Commander", "nobody yet: /klaxon role commander @someone"))
    if incident.acknowledged_by:
        facts.append(Fact("Acknowledged", f"{incident.acknowledged_by} at {_when(incident.acknowledged_at)}"))
    if incident.status is IncidentStatus.RESOLVED:
        facts.append(Fact("Resolved", f"{incident.resolved_by or '-'} at {_when(incident.resolved_at)}"))
    facts += context.facts
    runbook = incident.runbook
    dashboards = [link for link in incident.links if runbook is None or link.href != runbook.url]
    links = [ChatLink(link.text or link.href, link.href) for link in dashboards[:MAX_DASHBOARDS]]
    if runbook is not None:
        links.append(ChatLink(f"Runbook: {runbook.title}" if runbook.title else "Runbook", runbook.url))
    if context.status_page_url:
        links.append(ChatLink("Status page", context.status_page_url))
    if context.incident_url:
        links.append(ChatLink("Incident in Klaxon", context.incident_url))
    heading = f"#{incident.number} {incident.title}"
    return ChatMessage(
        text=f"{heading} [{incident.priority}, {status.lower()}]",
        heading=heading,
        facts=tuple(facts),
        links=tuple(links),
        note=f"CLI: klaxon incidents show {incident.number} · updated {_when(incident.updated_at)}",
        actions=_actions(incident),
    )


def _actions(incident: Incident) -> tuple[ChatAction, ...]:
    """Acknowledge while triggered, Resolve while open: the same as `/klaxon ack` and `resolve`."""
    number = str(incident.number)
    if incident.status is IncidentStatus.TRIGGERED:
        return (ChatAction("acknowledge", "Acknowledge", number), ChatAction("resolve", "Resolve", number))
    if incident.status is IncidentStatus.ACKNOWLEDGED:
        return (ChatAction("resolve", "Resolve", number),)
    return ()


def runbook_message(incident: Incident) -> ChatMessage | None:
    """The incident's runbook, posted in its room once it opens (it is in the summary too)."""
    runbook = incident.runbook
    if runbook is None:
        return None
    title = runbook.title or "the runbook"
    return ChatMessage(
        text=f"Runbook for #{incident.number}: {title}",
        links=(ChatLink(title, runbook.url),),
        note=f"Why this one: {runbook.reason}",
    )


def card_of(incident: Incident, room_name: str | None) -> ChatMessage:
    """The one line stakeholders see in the announcements channel, kept current."""
    status = _STATUS_WORD[incident.status].lower()
    where = f" · #{room_name}" if room_name else ""
    return ChatMessage(
        text=f"{incident.priority} #{incident.number} {incident.title} · {incident.service} · {status}{where}"
    )

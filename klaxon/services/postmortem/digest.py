"""The monthly action items message: once the month is over, when fewer than 80% of the action items
created in it are done, the report's warning and its overdue items go to the configured chat channel and
email list, once per month (the month is claimed before anything is sent, so two runs never both send;
a failed send is logged, not retried)."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass

from klaxon.domain.chat.messages import ChatMessage
from klaxon.domain.chat.rooms import ChatFailed
from klaxon.domain.paging.messages import EmailContent
from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.domain.postmortem.models import PostmortemPolicy
from klaxon.domain.reports.actions import ActionReport
from klaxon.ports import Chat, EmailSender
from klaxon.services.postmortem.reports import LearningReports

log = logging.getLogger(__name__)
MOST_OVERDUE_LISTED = 10


@dataclass
class ActionDigest:
    reports: LearningReports
    policy: Callable[[], PostmortemPolicy]
    claim: Callable[[str], bool]  # claim a month's message (YYYY-MM); False: it was claimed before
    chat: Chat | None
    email: EmailSender | None

    def send_due(self) -> str | None:
        """Send last month's message if it is owed and not sent; the month it was sent for."""
        policy = self.policy()
        if policy.report_channel is None and not policy.report_emails:
            return None
        month, start, end = self.reports.last_month()
        report = self.reports.actions(start, end)
        if report.warning is None or not self.claim(month):
            return None
        text = wording(report)
        if policy.report_channel and self.chat is not None:
            self._post(policy.report_channel, month, text)
        if self.email is not None:
            content = EmailContent(
                subject=f"Action items, {month}: {report.warning}",
                text=text,
                html=f"<pre>{html.escape(text)}</pre>",
            )
            for address in policy.report_emails:
                self._mail(self.email, address, month, content)
        return month

    def _post(self, channel: str, month: str, text: str) -> None:
        assert self.chat is not None
        try:
            self.chat.post(channel, ChatMessage(text=text, heading=f"Action items, {month}"))
        except ChatFailed as error:
            log.warning("the %s action items message did not reach %s: %s", month, channel, error)

    @staticmethod
    def _mail(email: EmailSender, address: str, month: str, content: EmailContent) -> None:
        try:
            email.send(address, content, {})
        except DeliveryFailed as error:
            log.warning("the %s action items message did not reach %s: %s", month, address, error)


def wording(report: ActionReport) -> str:
    """The warning first, then the most overdue items with their owners."""
    lines = [report.warning or ""]
    if report.overdue:
        lines.append("Overdue:")
        lines += [
            f"- #{o.incident_number} {o.title} ({o.owner or 'no owner'}, due {o.due.isoformat()}, "
            f"{o.days_overdue} days over){' ' + o.ticket if o.ticket else ''}"
            for o in report.overdue[:MOST_OVERDUE_LISTED]
        ]
    lines.append("`klaxon report actions` has the whole report.")
    return "\n".join(lines)

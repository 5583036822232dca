"""Reminders to a post-mortem's owner: 24 hours before it is due, when it is due, then every day it is
overdue, by email and Slack direct message (whichever of the two the owner has), each sent once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from klaxon.domain.errors import Conflict
from klaxon.domain.paging.pages import DeliveryFailed, Page
from klaxon.domain.paging.policy import Channel
from klaxon.domain.postmortem.models import Postmortem, reminder_due
from klaxon.ports import Clock, Notifier, PostmortemStore
from klaxon.services.paging.policies import Person

log = logging.getLogger(__name__)
CHANNELS = (Channel.EMAIL, Channel.SLACK)


def _wording(postmortem: Postmortem, key: str) -> str:
    when = f"{postmortem.due:%Y-%m-%d %H:%M} UTC"
    if key == "before":
        state = f"is due tomorrow ({when})"
    elif key == "due":
        state = f"is due now ({when})"
    else:
        state = f"is {key.removeprefix('overdue-')} day(s) overdue (it was due {when})"
    return (
        f"The post-mortem of #{postmortem.incident_number} {postmortem.title} {state}: "
        f"klaxon postmortem edit {postmortem.incident_number}"
    )


@dataclass
class PostmortemReminders:
    store: PostmortemStore
    people: Callable[[], dict[str, Person]]
    notifier: Notifier
    clock: Clock

    def remind_due(self) -> list[str]:
        """Send every reminder owed now; the incident ids whose owner was reminded."""
        now, reminded = self.clock.now(), []
        for postmortem in self.store.live():
            if reminder_due(postmortem, now) is None:
                continue
            found = self.store.get(postmortem.incident_id)  # the list may lag: decide from the record
            if found is None or (key := reminder_due(found[0], now)) is None:
                continue
            current, version = found
            try:  # claimed first: two runs never remind twice; a failed send is not retried
                self.store.put(
                    current.model_copy(update={"reminders_sent": [*current.reminders_sent, key]}),
                    version=version,
                )
            except Conflict:
                continue
            if self._send(current, key):
                reminded.append(current.incident_id)
        return reminded

    def _send(self, postmortem: Postmortem, key: str) -> bool:
        person = self.people().get(postmortem.owner)
        if person is None:
            log.warning(
                "post-mortem of %s: its owner %r is no configured user",
                postmortem.incident_id,
                postmortem.owner,
            )
            return False
        sent = False
        for channel in (c for c in CHANNELS if c in person.contacts):
            page = Page.notice(
                about=postmortem.incident_id,
                number=postmortem.incident_number,
                text=_wording(postmortem, key),
                service=postmortem.service,
                priority=postmortem.priority,
                user=person.id,
                user_name=person.name,
                channel=channel,
                address=person.contacts[channel],
            )
            try:
                self.notifier.send(page)
                sent = True
            except DeliveryFailed as error:
                log.warning("post-mortem reminder by %s to %s failed: %s", channel, person.id, error)
        return sent

"""On-call user groups: each configured schedule's chat user group (Slack: `@checkout-oncall`) holds
exactly who is on call on it. Checked at every override (`Schedule Changed`) and every 5 minutes (shift
changes); a group is only written when its people changed since the last write."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.chat.rooms import GroupSync
from klaxon.domain.errors import Conflict
from klaxon.ports import Chat, ChatRooms, Clock

log = logging.getLogger(__name__)


@dataclass
class OnCallGroups:
    chat: Chat
    rooms: ChatRooms  # keeps what each group was last set to
    groups: Callable[[], Mapping[str, str]]  # schedule id -> the chat user group's id
    on_call: Callable[[str, datetime], list[str]]  # a schedule's users on call at a time
    emails: Callable[[], Mapping[str, str]]  # user id -> account email
    clock: Clock

    def sync(self, schedule: str | None = None) -> list[str]:
        """Bring every group (or `schedule`'s) to who is on call now; the schedules whose group changed."""
        now, changed = self.clock.now(), []
        for schedule_id, group in sorted(self.groups().items()):
            if schedule is not None and schedule_id != schedule:
                continue
            if self._sync_one(schedule_id, group, now):
                changed.append(schedule_id)
        return changed

    def _sync_one(self, schedule: str, group: str, now: datetime) -> bool:
        emails = self.emails()
        people = [self.chat.user_for_email(emails[u]) for u in self.on_call(schedule, now) if u in emails]
        users = tuple(sorted({p for p in people if p is not None}))
        if not users:
            log.warning("nobody on call on %s is in the chat: its group %s is left as it is", schedule, group)
            return False
        found = self.rooms.group_sync(schedule)
        if found is not None and (found[0].group, found[0].users) == (group, users):
            return False
        self.chat.set_group(group, users)
        record = GroupSync(schedule=schedule, group=group, users=users, synced_at=now)
        with suppress(Conflict):  # another run set it at the same time, to the same people
            self.rooms.put_group_sync(record, version=found[1] if found else None)
        return True

"""People in chat: whom an incident's room invites and names as on call (whom its escalation policy pages
first, now), and which Klaxon user a chat user is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.incident.models import Incident
from klaxon.ports import Chat
from klaxon.services.chat.rooms import Responder
from klaxon.services.paging.policies import PoliciesAndPeople, policy_of, step_users


@dataclass(frozen=True)
class FirstResponders:
    directory: Callable[[], PoliciesAndPeople]
    on_call: Callable[[str, datetime], list[str]]  # a schedule's users on call at a time
    emails: Callable[[], Mapping[str, str]]  # user id -> account email

    def __call__(self, incident: Incident, now: datetime) -> list[Responder]:
        directory = self.directory()
        policy = policy_of(incident, directory)
        if policy is None or not policy.steps:
            return []
        emails = self.emails()
        return [
            Responder(
                name=directory.people[user].name if user in directory.people else user, email=emails[user]
            )
            for user in step_users(policy.steps[0], now, self.on_call)
            if user in emails
        ]


@dataclass(frozen=True)
class ChatActors:
    """The actor a chat user's actions are recorded under: the Klaxon user with the same email, else
    `slack:<their id>`."""

    chat: Chat
    emails: Callable[[], Mapping[str, str]]  # user id -> account email

    def __call__(self, chat_user: str) -> str:
        email = self.chat.email_of(chat_user)
        if email:
            for user, known in self.emails().items():
                if known.lower() == email.lower():
                    return user
        return f"slack:{chat_user}"

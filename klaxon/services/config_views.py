"""The read models every service takes from the applied configuration, built once per revision.

The directory returns the same configuration object for as long as its stored document is unchanged,
so each view below is computed on first use after a change and reused until the next one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from klaxon.domain.chat.rooms import ChatPolicy
from klaxon.domain.paging.escalation import Rule
from klaxon.domain.postmortem.models import PostmortemPolicy
from klaxon.domain.runbooks.choice import NO_RUNBOOKS, Runbooks
from klaxon.domain.sla.budget import Slo
from klaxon.domain.sla.customers import Customer
from klaxon.domain.sla.thresholds import AlertPolicy
from klaxon.services.noise.control import NoiseSettings
from klaxon.services.paging.acks import phone_book
from klaxon.services.paging.policies import Person, PoliciesAndPeople
from klaxon.services.schedule.schedules import Roster

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig
    from klaxon.config.statuspage import StatusPageConfig
    from klaxon.domain.noise.heartbeats import Heartbeat
    from klaxon.domain.paging.policy import Channel


class Views:
    """Every projection of one configuration (None: nothing applied yet), each computed when first read."""

    def __init__(self, config: KlaxonConfig | None, statuspage_url: str | None = None) -> None:
        self.config = config
        self.statuspage_url = statuspage_url

    @cached_property
    def statuspage(self) -> StatusPageConfig | None:
        """The `statuspage` section, served at `statuspage_url` when that is set (`klaxon up`)."""
        if self.config is None or self.config.statuspage is None:
            return None
        if self.statuspage_url:
            return self.config.statuspage.model_copy(update={"url": self.statuspage_url})
        return self.config.statuspage

    @cached_property
    def roster(self) -> Roster:
        """Schedules and user names."""
        if self.config is None:
            return Roster(schedules={}, users={})
        return Roster(
            schedules={s.id: s for s in self.config.schedules},
            users={u.id: u.name for u in self.config.users},
        )

    @cached_property
    def policies_and_people(self) -> PoliciesAndPeople:
        """Policies, each service's policy, and how to reach each person."""
        if self.config is None:
            return PoliciesAndPeople(policies={}, service_policy={}, people={})
        people = {}
        for user in self.config.users:
            contacts: dict[Channel, str] = {}
            for method in user.contact_methods:
                contacts.setdefault(method.type, method.address)
            rules = tuple(
                Rule(channel=r.channel, delay_minutes=r.delay_minutes)
                for r in user.effective_notification_rules()
            )
            people[user.id] = Person(id=user.id, name=user.name, contacts=contacts, rules=rules)
        return PoliciesAndPeople(
            policies={p.id: p for p in self.config.escalation_policies},
            service_policy={s.id: s.escalation_policy for s in self.config.services},
            people=people,
        )

    @cached_property
    def phone_book(self) -> Mapping[str, str]:
        """Each SMS or voice number to the one user it reaches."""
        return {} if self.config is None else phone_book(self.config.users)

    @cached_property
    def time_zones(self) -> Mapping[str, str]:
        """Each user's time zone."""
        return {} if self.config is None else {u.id: u.time_zone for u in self.config.users}

    @cached_property
    def noise(self) -> NoiseSettings:
        """Grouping per service, inhibition rules, declared maintenance windows."""
        from klaxon.config.noise import grouping_of

        if self.config is None:
            return NoiseSettings()
        return NoiseSettings(
            grouping=grouping_of(self.config),
            inhibition=tuple(r.to_domain() for r in self.config.inhibition_rules),
            windows=tuple(w.to_domain() for w in self.config.maintenance_windows),
        )

    @cached_property
    def heartbeats(self) -> Mapping[str, Heartbeat]:
        """Heartbeats by their key's stored digest (see `HeartbeatService.ping`)."""
        from klaxon.config.noise import heartbeats_by_key

        return {} if self.config is None else heartbeats_by_key(self.config)

    @cached_property
    def runbooks(self) -> Runbooks:
        """The runbook entries and each service's default runbook."""
        from klaxon.config.runbooks import runbooks_of

        return NO_RUNBOOKS if self.config is None else runbooks_of(self.config)

    @cached_property
    def chat(self) -> ChatPolicy:
        """Which incidents get a chat room, who joins each, where cards go (the defaults when absent)."""
        from klaxon.config.chat import chat_policy_of

        return ChatPolicy() if self.config is None else chat_policy_of(self.config)

    @cached_property
    def postmortems(self) -> PostmortemPolicy:
        """Which incidents get a post-mortem draft, when due, from which template."""
        if self.config is None or self.config.postmortems is None:
            return PostmortemPolicy()
        return self.config.postmortems.to_domain()

    @cached_property
    def slos(self) -> Mapping[str, Slo]:
        return {} if self.config is None else {s.id: s.to_domain() for s in self.config.slos}

    @cached_property
    def customers(self) -> tuple[Customer, ...]:
        return () if self.config is None else tuple(c.to_domain() for c in self.config.customers)

    @cached_property
    def sla_alerts(self) -> AlertPolicy | None:
        if self.config is None or self.config.sla_alerts is None:
            return None
        return self.config.sla_alerts.to_domain()

    @cached_property
    def team_of(self) -> Mapping[str, str]:
        """Each service's owning team (services without one are left out)."""
        if self.config is None:
            return {}
        return {s.id: s.team for s in self.config.services if s.team is not None}

    @cached_property
    def user_emails(self) -> Mapping[str, str]:
        """Each user's account email (chat products look people up by it)."""
        return {} if self.config is None else {u.id: u.email for u in self.config.users}

    @cached_property
    def contact_addresses(self) -> Mapping[str, str]:
        """Every contact method's address to its user."""
        if self.config is None:
            return {}
        return {m.address: u.id for u in self.config.users for m in u.contact_methods}


@dataclass
class ConfigViews:
    """The views of the configuration `current()` returns now; `statuspage_url` overrides the page's URL."""

    current: Callable[[], KlaxonConfig | None]
    statuspage_url: str | None = None
    _last: Views = field(default_factory=lambda: Views(None), init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def views(self) -> Views:
        config = self.current()
        with self._lock:
            if self._last.config is not config:
                self._last = Views(config, self.statuspage_url)
            return self._last

    def roster(self) -> Roster:
        return self.views().roster

    def policies_and_people(self) -> PoliciesAndPeople:
        return self.views().policies_and_people

    def phone_book(self) -> Mapping[str, str]:
        return self.views().phone_book

    def time_zones(self) -> Mapping[str, str]:
        return self.views().time_zones

    def noise(self) -> NoiseSettings:
        return self.views().noise

    def heartbeats(self) -> Mapping[str, Heartbeat]:
        return self.views().heartbeats

    def contact_addresses(self) -> Mapping[str, str]:
        return self.views().contact_addresses

    def runbooks(self) -> Runbooks:
        return self.views().runbooks

    def statuspage(self) -> StatusPageConfig | None:
        return self.views().statuspage

    def chat(self) -> ChatPolicy:
        return self.views().chat

    def user_emails(self) -> Mapping[str, str]:
        return self.views().user_emails

    def team_of(self) -> Mapping[str, str]:
        return self.views().team_of

    def slos(self) -> Mapping[str, Slo]:
        return self.views().slos

    def sla_alerts(self) -> AlertPolicy | None:
        return self.views().sla_alerts

    def customers(self) -> tuple[Customer, ...]:
        return self.views().customers

    def postmortems(self) -> PostmortemPolicy:
        return self.views().postmortems

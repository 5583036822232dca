"""The ports services depend on; adapters implement them, tests use in-memory fakes.

Each subject has its module (system, access, incidents, intake, noise, paging, schedules, statuspage, chat,
postmortems, config); every port is re-exported here, so `from klaxon.ports import X` names any of them."""

from __future__ import annotations

from klaxon.ports.access import (
    ApiPrincipal,
    AuditLog,
    Keyed,
    Keyring,
    RateCounter,
    SigningSecrets,
    TokenStore,
)
from klaxon.ports.chat import Chat, ChatRooms
from klaxon.ports.config import ConfigStore
from klaxon.ports.incidents import (
    IncidentChanges,
    IncidentPage,
    IncidentQuery,
    IncidentRepository,
    TimelinePage,
    TimelineRepository,
)
from klaxon.ports.intake import DeliveryLog, KeysAndServices, SnsVerifier, SubscriptionConfirmer
from klaxon.ports.noise import GroupedAlert, HeartbeatStore, MaintenanceStore, NoiseIncidents, NoisePolicy
from klaxon.ports.paging import EscalationRunner, NotificationRecords, Notifier, PageRecords, TextReplier
from klaxon.ports.postmortems import (
    PostmortemPublisher,
    PostmortemStore,
    TicketIndex,
    Tracker,
    Trackers,
)
from klaxon.ports.schedules import CalendarRenderer, FeedState, OverrideRepository
from klaxon.ports.statuspage import (
    EmailSender,
    Published,
    Site,
    StatusIncidentStore,
    SubscriberStore,
    WebhookPoster,
)
from klaxon.ports.system import Clock, EventBus, IdGenerator, PayloadStore

__all__ = [
    "ApiPrincipal",
    "AuditLog",
    "CalendarRenderer",
    "Chat",
    "ChatRooms",
    "Clock",
    "ConfigStore",
    "DeliveryLog",
    "EmailSender",
    "EscalationRunner",
    "EventBus",
    "FeedState",
    "GroupedAlert",
    "HeartbeatStore",
    "IdGenerator",
    "IncidentChanges",
    "IncidentPage",
    "IncidentQuery",
    "IncidentRepository",
    "Keyed",
    "Keyring",
    "KeysAndServices",
    "MaintenanceStore",
    "NoiseIncidents",
    "NoisePolicy",
    "NotificationRecords",
    "Notifier",
    "OverrideRepository",
    "PageRecords",
    "PayloadStore",
    "PostmortemPublisher",
    "PostmortemStore",
    "Published",
    "RateCounter",
    "SigningSecrets",
    "Site",
    "SnsVerifier",
    "StatusIncidentStore",
    "SubscriberStore",
    "SubscriptionConfirmer",
    "TextReplier",
    "TicketIndex",
    "TimelinePage",
    "TimelineRepository",
    "TokenStore",
    "Tracker",
    "Trackers",
    "WebhookPoster",
]

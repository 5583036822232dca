"""The composition root: `build(settings)` makes the one container of a process (a Lambda container,
`klaxon up`), and `container()` is the one the handlers of this process use.

The container holds one instance of each adapter and service. Each is built the first time it is read,
so a function's cold start pays only for what that function uses; once built it is never replaced.
The local platform builds its own (`build(settings, status_site=...)`) and `install`s it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from klaxon.settings import Settings

if TYPE_CHECKING:
    from klaxon.adapters.directory import DynamoDirectory
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.adapters.maintenance_store import DynamoMaintenanceStore
    from klaxon.adapters.notifications import DynamoNotificationRepository
    from klaxon.adapters.notifiers import ChannelNotifier
    from klaxon.adapters.overrides import DynamoFeedState
    from klaxon.adapters.slack_credentials import SlackCredentials
    from klaxon.adapters.sns_verify import HttpSubscriptionConfirmer, SnsSignatureVerifier
    from klaxon.adapters.timeline import DynamoTimelineRepository
    from klaxon.adapters.trackers import ConfiguredTrackers
    from klaxon.domain.incident.models import Incident
    from klaxon.domain.paging.pages import Page
    from klaxon.domain.statuspage.models import PublicIncident
    from klaxon.ports import (
        AuditLog,
        Chat,
        ChatRooms,
        Clock,
        DeliveryLog,
        EscalationRunner,
        EventBus,
        IdGenerator,
        Keyed,
        Keyring,
        Notifier,
        PayloadStore,
        PostmortemPublisher,
        RateCounter,
        SigningSecrets,
        Site,
        TextReplier,
        TokenStore,
    )
    from klaxon.services.access.audit import AuditService
    from klaxon.services.access.rate_limits import RateLimiter
    from klaxon.services.access.secrets import SecretService
    from klaxon.services.access.tokens import TokenService
    from klaxon.services.chat.capture import TimelineCapture
    from klaxon.services.chat.commands import ChatCommands
    from klaxon.services.chat.groups import OnCallGroups
    from klaxon.services.chat.reminders import ChatReminders
    from klaxon.services.chat.rooms import ChatRoomService
    from klaxon.services.config_views import ConfigViews
    from klaxon.services.configuration import ConfigApplier
    from klaxon.services.incident.incidents import IncidentService
    from klaxon.services.incident.outbox import OutboxRelay
    from klaxon.services.incident.router import RouterService
    from klaxon.services.intake.ingest import IngestService
    from klaxon.services.noise.control import NoiseControl
    from klaxon.services.noise.heartbeats import HeartbeatService
    from klaxon.services.noise.maintenance import MaintenanceService
    from klaxon.services.noise.report import NoiseReportService
    from klaxon.services.paging.acks import AckService
    from klaxon.services.paging.control import EscalationControl, EscalationStopper
    from klaxon.services.paging.drills import DrillService
    from klaxon.services.paging.escalation import EscalationService
    from klaxon.services.paging.sweeper import EscalationSweeper
    from klaxon.services.postmortem.actions import ActionService
    from klaxon.services.postmortem.digest import ActionDigest
    from klaxon.services.postmortem.postmortems import PostmortemService
    from klaxon.services.postmortem.reminders import PostmortemReminders
    from klaxon.services.postmortem.reports import LearningReports
    from klaxon.services.schedule.reports import ReportService
    from klaxon.services.schedule.schedules import ScheduleService
    from klaxon.services.sla.alerts import SlaAlerts
    from klaxon.services.sla.budgets import SlaService
    from klaxon.services.sla.burn import SlaBurn
    from klaxon.services.statuspage.page_events import StatusPageEvents
    from klaxon.services.statuspage.public_incidents import StatusPageService
    from klaxon.services.statuspage.publisher import StatusPagePublisher
    from klaxon.services.statuspage.subscribers import SubscriberService


class part(cached_property):
    """A part of the container: built on first read, under the container's lock, exactly once."""

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        built = vars(instance)
        name = self.attrname
        assert name is not None
        if name not in built:
            with built["_building"]:  # re-entrant: a part builds the parts it holds
                if name not in built:
                    built[name] = self.func(instance)
        return built[name]


class _LazyPager:
    """A notifier built on its first page: the chat (and its credentials) is only read by a page to Slack."""

    def __init__(self, build: Callable[[], Notifier]) -> None:
        self._build = build
        self._built: Notifier | None = None

    def send(self, page: Page) -> str:
        if self._built is None:
            self._built = self._build()
        return self._built.send(page)


class Container:
    """Every adapter and service of one process, each built once, on first use. Frozen once made.

    `provided` replaces a part by name before anything is built (the local platform's status site,
    tests' fakes); each must be the name of a part.
    """

    def __init__(self, settings: Settings, **provided: Any) -> None:
        unknown = sorted(name for name in provided if not isinstance(getattr(type(self), name, None), part))
        if unknown:
            raise TypeError(f"no such part of the container: {unknown}")
        vars(self).update(settings=settings, _building=threading.RLock(), **provided)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"the container is frozen: build another with `wiring.build` ({name})")

    settings: Settings

    def public_incident(self, incident_id: str) -> PublicIncident | None:
        """The incident's public status incident (subscribers, chat links, reminders, post-mortems)."""
        found = self.statuspage_service.store.get(incident_id)
        return found[0] if found is not None else None

    def on_call_users(self, schedule: str, at: datetime) -> list[str]:
        """The users on call on `schedule` at `at` (escalation and chat rooms ask)."""
        return [person.user for person in self.schedule_service.on_call(schedule, at)[1]]

    # --- adapters ---------------------------------------------------------------------------------

    @part
    def directory(self) -> DynamoDirectory:
        from klaxon.adapters.directory import DynamoDirectory

        return DynamoDirectory(keyed=self.keyed)

    @part
    def config_views(self) -> ConfigViews:
        """Roster, policies and people, phone book, noise settings, heartbeats: once per config revision."""
        from klaxon.services.config_views import ConfigViews

        return ConfigViews(self.directory.config, statuspage_url=self.settings.statuspage_url)

    @part
    def bus(self) -> EventBus:
        from klaxon.adapters.eventbridge import EventBridgeBus

        return EventBridgeBus(self.settings.event_bus)

    @part
    def payloads(self) -> PayloadStore:
        from klaxon.adapters.s3_payloads import S3PayloadStore

        return S3PayloadStore(self.settings.payload_bucket)

    @part
    def clock(self) -> Clock:
        from klaxon.adapters.system import SystemClock

        return SystemClock()

    @part
    def ids(self) -> IdGenerator:
        from klaxon.adapters.system import UuidIds

        return UuidIds()

    @part
    def incident_repository(self) -> DynamoIncidentRepository:
        from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository

        return DynamoIncidentRepository()

    @part
    def timeline_repository(self) -> DynamoTimelineRepository:
        from klaxon.adapters.timeline import DynamoTimelineRepository

        return DynamoTimelineRepository()

    @part
    def notification_records(self) -> DynamoNotificationRepository:
        from klaxon.adapters.notifications import DynamoNotificationRepository

        return DynamoNotificationRepository()

    @part
    def maintenance_store(self) -> DynamoMaintenanceStore:
        from klaxon.adapters.maintenance_store import DynamoMaintenanceStore

        return DynamoMaintenanceStore()

    @part
    def feed_state(self) -> DynamoFeedState:
        from klaxon.adapters.overrides import DynamoFeedState

        return DynamoFeedState()

    @part
    def link_keys(self) -> Keyring:
        """The deployment's link-signing secret (Secrets Manager, made at deploy time; rotated on demand)."""
        from klaxon.adapters.link_keys import SecretsManagerKeyring

        legacy = self.feed_state.legacy_secret
        return SecretsManagerKeyring(self.settings.link_secret, self.clock, legacy=legacy)

    @part
    def webhook_keys(self) -> Keyring:
        """The deployment's webhook secret: each status page webhook's signing secret is derived from it."""
        from klaxon.adapters.link_keys import SecretsManagerKeyring

        return SecretsManagerKeyring(self.settings.webhook_secret, self.clock, setting="webhook_secret")

    @part
    def signing_secrets(self) -> SigningSecrets:
        """Integrations' signing secrets (Secrets Manager, made empty at deploy time; written by applies)."""
        from klaxon.adapters.signing_secrets import SecretsManagerSigningSecrets

        return SecretsManagerSigningSecrets(self.settings.integration_secrets, self.clock)

    @part
    def notifier(self) -> ChannelNotifier:
        """Every paging channel (KLAXON_SMS_ORIGINATION and the like); Slack direct messages through the chat,
        which is read only when a page goes to Slack."""
        from klaxon.adapters.chat_pages import ChatPager
        from klaxon.adapters.notifiers import ChannelNotifier

        return ChannelNotifier.from_settings(self.settings, chat=_LazyPager(lambda: ChatPager(self.chat)))

    @part
    def text_replier(self) -> TextReplier:
        from klaxon.adapters.notifiers import SmsReplier

        return SmsReplier(self.settings.sms_origination)

    @part
    def sns_verifier(self) -> SnsSignatureVerifier:
        from klaxon.adapters.sns_verify import SnsSignatureVerifier

        return SnsSignatureVerifier.pinned_or_fetched(self.settings.sns_cert_dir)

    @part
    def subscription_confirmer(self) -> HttpSubscriptionConfirmer:
        from klaxon.adapters.sns_verify import HttpSubscriptionConfirmer

        return HttpSubscriptionConfirmer()

    @part
    def delivery_log(self) -> DeliveryLog:
        from klaxon.adapters.delivery_log import DynamoDeliveryLog

        return DynamoDeliveryLog()

    @part
    def escalation_runner(self) -> EscalationRunner:
        from klaxon.adapters.escalation_runner import StepFunctionsRunner

        machine = self.settings.escalation_state_machine
        if not machine:
            raise LookupError(f"{Settings.env_name('escalation_state_machine')} is not set")
        return StepFunctionsRunner(machine)

    @part
    def status_site(self) -> Callable[[], Site | None]:
        """The status page site, made at each publish (its assumed role's credentials expire)."""
        from klaxon.adapters.site_hosting import site_from_settings

        return lambda: site_from_settings(self.settings)

    # --- services ---------------------------------------------------------------------------------

    @part
    def ingest_service(self) -> IngestService:
        from klaxon.services.intake.ingest import IngestService

        return IngestService(
            directory=self.directory,
            bus=self.bus,
            payloads=self.payloads,
            clock=self.clock,
            ids=self.ids,
            sns=self.sns_verifier,
            confirmer=self.subscription_confirmer,
            deliveries=self.delivery_log,
            signing=self.signing_secrets,
            limiter=self.rate_limiter,
        )

    @part
    def router_service(self) -> RouterService:
        from klaxon.services.incident.router import RouterService

        return RouterService(
            incidents=self.incident_repository,
            timeline=self.timeline_repository,
            payloads=self.payloads,
            clock=self.clock,
            ids=self.ids,
            noise=self.noise_control,
            runbooks=self.config_views.runbooks,
        )

    @part
    def incident_service(self) -> IncidentService:
        from klaxon.services.incident.incidents import IncidentService

        return IncidentService(
            incidents=self.incident_repository,
            timeline=self.timeline_repository,
            clock=self.clock,
            payloads=self.payloads,
            pages=self.notification_records,
        )

    @part
    def outbox_relay(self) -> OutboxRelay:
        from klaxon.adapters.incident_stream import IncidentStream
        from klaxon.services.incident.outbox import OutboxRelay

        return OutboxRelay(changes=IncidentStream(), bus=self.bus)

    @part
    def schedule_service(self) -> ScheduleService:
        from klaxon.adapters.ical import calendar
        from klaxon.adapters.overrides import DynamoOverrideRepository
        from klaxon.services.schedule.schedules import ScheduleService

        return ScheduleService(
            roster=self.config_views.roster,
            overrides=DynamoOverrideRepository(),
            timeline=self.timeline_repository,
            feeds=self.feed_state,
            keys=self.link_keys,
            clock=self.clock,
            ids=self.ids,
            calendar=calendar,
            bus=self.bus,
        )

    @part
    def report_service(self) -> ReportService:
        from klaxon.services.paging.page_log import page_log
        from klaxon.services.schedule.reports import ReportService

        pages = page_log(self.incident_repository, self.notification_records)
        return ReportService(
            schedules=self.schedule_service, time_zones=self.config_views.time_zones, pages=pages
        )

    @part
    def ack_service(self) -> AckService:
        """SMS replies and signed acknowledge links; links are absolute when KLAXON_PUBLIC_URL is set."""
        from klaxon.domain.paging.policy import responders
        from klaxon.services.paging.acks import AckService
        from klaxon.services.paging.policies import policy_of

        views = self.config_views

        def on_policy(incident: Incident) -> frozenset[str]:
            return responders(policy_of(incident, views.policies_and_people()), views.roster().schedules)

        return AckService(
            incidents=self.incident_service,
            phones=views.phone_book,
            keys=self.link_keys,
            clock=self.clock,
            pages=self.notification_records.list,
            responders=on_policy,
            public_url=self.settings.public_url,
        )

    @part
    def escalation_stopper(self) -> EscalationStopper:
        from klaxon.services.paging.control import EscalationStopper

        return EscalationStopper(
            runner=self.escalation_runner, directory=self.config_views.policies_and_people
        )

    @part
    def escalation_sweeper(self) -> EscalationSweeper:
        """Every minute: resume the escalation of any triggered incident that has none running."""
        from klaxon.services.paging.sweeper import EscalationSweeper

        return EscalationSweeper(
            incidents=self.incident_repository,
            records=self.notification_records,
            runner=self.escalation_runner,
            directory=self.config_views.policies_and_people,
            timeline=self.timeline_repository,
            clock=self.clock,
        )

    def mark_incident_sources(self) -> None:
        """With each sweep: mark the open incidents kept from before inhibition's index of them, until it
        has settled (klaxon.adapters.source_index)."""
        from klaxon.adapters import source_index

        source_index.mark()

    @part
    def escalation_service(self) -> EscalationService:
        from klaxon.services.paging.escalation import EscalationService

        return EscalationService(
            incidents=self.incident_repository,
            records=self.notification_records,
            timeline=self.timeline_repository,
            directory=self.config_views.policies_and_people,
            on_call=self.on_call_users,
            notifier=self.notifier,
            clock=self.clock,
            ids=self.ids,
            ack_url=lambda incident, user: self.ack_service.link_for(incident.id, user),
        )

    @part
    def escalation_control(self) -> EscalationControl:
        from klaxon.services.paging.control import EscalationControl

        return EscalationControl(
            incidents=self.incident_repository,
            records=self.notification_records,
            directory=self.config_views.policies_and_people,
            clock=self.clock,
        )

    @part
    def drill_service(self) -> DrillService:
        from klaxon.services.paging.drills import DrillService

        return DrillService(
            router=self.router_service,
            directory=self.config_views.policies_and_people,
            clock=self.clock,
            ids=self.ids,
        )

    # --- post-mortems ---------------------------------------------------------------------------------

    @part
    def postmortem_service(self) -> PostmortemService:
        """Drafts written when significant incidents resolve, and the edits people make."""
        from klaxon.adapters.postmortem_store import DynamoPostmortems
        from klaxon.adapters.subscriber_email import SesEmailSender
        from klaxon.services.postmortem.postmortems import PostmortemService

        views, settings = self.config_views, self.settings

        def publishers() -> list[PostmortemPublisher]:
            from klaxon.adapters.confluence import ConfluencePublisher
            from klaxon.adapters.github import GitHubPublisher, github_token
            from klaxon.adapters.notion import NotionPublisher
            from klaxon.adapters.trackers import tracker_credentials

            policy = views.postmortems()
            found: list[PostmortemPublisher] = []
            token = github_token(settings)
            if policy.github is not None and token is not None:
                found.append(GitHubPublisher(token, policy.github, settings.github_api_url))
            credentials = tracker_credentials(settings) if policy.confluence or policy.notion else {}
            notion_token = credentials.get("notion", {}).get("token")
            if policy.notion is not None and notion_token:
                found.append(NotionPublisher(policy.notion, notion_token, settings.notion_api_url))
            if policy.confluence is not None:
                atlassian = credentials.get("confluence", {})
                if atlassian.get("email") and atlassian.get("api_token"):
                    found.append(
                        ConfluencePublisher(policy.confluence, atlassian["email"], atlassian["api_token"])
                    )
            return found

        return PostmortemService(
            store=DynamoPostmortems(),
            incidents=self.incident_repository,
            timeline=self.timeline_repository,
            public_incident=self.public_incident,
            policy=views.postmortems,
            clock=self.clock,
            bus=self.bus,
            publishers=publishers,
            ids=self.ids,
            # The SLA service (and the status page's) is built when a draft first needs it, not with this one.
            customer_impact=lambda public, resolved: self.sla_service.incident_impact(public, resolved),  # noqa: PLW0108
            email=SesEmailSender(settings.email_from),
        )

    @part
    def configured_trackers(self) -> ConfiguredTrackers:
        """The configured trackers' credentials (read at most once a minute) and their clients."""
        from klaxon.adapters.trackers import ConfiguredTrackers

        return ConfiguredTrackers(self.settings)

    @part
    def action_service(self) -> ActionService:
        """Action items filed as tickets in the trackers the config names, and their completion."""
        from klaxon.adapters.postmortem_store import DynamoPostmortems
        from klaxon.adapters.ticket_index import DynamoTicketIndex
        from klaxon.services.postmortem.actions import ActionService

        public_url = (self.settings.public_url or "").rstrip("/")
        return ActionService(
            store=DynamoPostmortems(),
            policy=self.config_views.postmortems,
            trackers=self.configured_trackers,
            index=DynamoTicketIndex(),
            clock=self.clock,
            ids=self.ids,
            link=lambda incident_id: f"{public_url}/v1/incidents/{incident_id}/postmortem",
            bus=self.bus,
        )

    @part
    def postmortem_reminders(self) -> PostmortemReminders:
        """Reminders to post-mortems' owners, by email and Slack."""
        from klaxon.adapters.postmortem_store import DynamoPostmortems
        from klaxon.services.postmortem.reminders import PostmortemReminders

        views = self.config_views
        return PostmortemReminders(
            store=DynamoPostmortems(),
            people=lambda: dict(views.policies_and_people().people),
            notifier=self.notifier,
            clock=self.clock,
        )

    @part
    def learning_reports(self) -> LearningReports:
        """The action items and response reports."""
        from klaxon.adapters.postmortem_store import DynamoPostmortems
        from klaxon.services.postmortem.reports import LearningReports

        views = self.config_views
        return LearningReports(
            store=DynamoPostmortems(),
            incidents=self.incident_repository,
            timeline=self.timeline_repository,
            team_of=views.team_of,
            policy=views.postmortems,
            clock=self.clock,
        )

    @part
    def action_digest(self) -> ActionDigest:
        """The monthly message when last month's action items fell short of the goal."""
        from klaxon.adapters import once_marks
        from klaxon.adapters.subscriber_email import SesEmailSender
        from klaxon.services.postmortem.digest import ActionDigest

        return ActionDigest(
            reports=self.learning_reports,
            policy=self.config_views.postmortems,
            claim=lambda month: once_marks.claim("action-digest", month),
            chat=self.chat,
            email=SesEmailSender(self.settings.email_from),
        )

    @part
    def sla_service(self) -> SlaService:
        """Customers' error budgets, from the status page's record."""
        from klaxon.services.sla.budgets import SlaService

        views = self.config_views
        return SlaService(
            snapshot=self.statuspage_service.snapshot,
            slos=views.slos,
            customers=views.customers,
            clock=self.clock,
        )

    @part
    def sla_alerts(self) -> SlaAlerts:
        """The budgets' threshold alerts, into the pipeline once per threshold and window."""
        from klaxon.adapters import once_marks
        from klaxon.domain.chat.messages import ChatMessage
        from klaxon.services.sla.alerts import SlaAlerts

        def room_of(incident_id: str) -> str | None:
            found = self.chat_rooms.get(incident_id)
            return (found[0].room or None) if found is not None else None

        return SlaAlerts(
            budgets=self.sla_service,
            policy=self.config_views.sla_alerts,
            claim=lambda key: once_marks.claim("sla-alert", key),
            release=lambda key: once_marks.release("sla-alert", key),
            bus=self.bus,
            clock=self.clock,
            ids=self.ids,
            room_of=room_of,
            post=lambda room, text: self.chat.post(room, ChatMessage(text=f":warning: {text}")),
        )

    @part
    def sla_burn(self) -> SlaBurn:
        """Alert-driven SLOs' multi-window burn-rate alerts, raised and resolved as the rules fire."""
        from klaxon.adapters import once_marks
        from klaxon.services.sla.burn import SlaBurn

        return SlaBurn(
            incidents=self.incident_repository,
            slos=self.config_views.slos,
            policy=self.config_views.sla_alerts,
            mark=lambda key: once_marks.claim("sla-burn", key),
            unmark=lambda key: once_marks.release_marked("sla-burn", key),
            bus=self.bus,
            clock=self.clock,
            ids=self.ids,
        )

    # --- chat ---------------------------------------------------------------------------------------

    @part
    def slack_credentials(self) -> SlackCredentials | None:
        """The Slack app's bot token and signing secret, or None when Slack is not set up."""
        from klaxon.adapters.slack_credentials import slack_credentials

        return slack_credentials(self.settings)

    @part
    def chat(self) -> Chat:
        """Slack when its credentials are set (docs/slack.md); else the log chat (console and timeline)."""
        credentials = self.slack_credentials
        if credentials is None:
            from klaxon.adapters.chat_log import LogChat

            return LogChat(self.timeline_repository, self.clock)
        from klaxon.adapters.slack import SlackChat

        return SlackChat(credentials.bot_token, self.settings.slack_api_url)

    @part
    def chat_rooms(self) -> ChatRooms:
        from klaxon.adapters.chat_rooms import DynamoChatRooms

        return DynamoChatRooms()

    @part
    def chat_actors(self) -> Callable[[str], str]:
        """A chat user's actions are recorded as the Klaxon user with the same email."""
        from klaxon.services.chat.people import ChatActors

        return ChatActors(self.chat, self.config_views.user_emails)

    @part
    def chat_commands(self) -> ChatCommands:
        """`/klaxon` in Slack: the API's actions, with the Slack user as the actor."""
        from klaxon.services.chat.commands import ChatCommands
        from klaxon.services.incident.declare import Declarations

        declarations = Declarations(
            router=self.router_service,
            incidents=self.incident_service,
            directory=self.config_views.policies_and_people,
            clock=self.clock,
            ids=self.ids,
        )
        return ChatCommands(
            incidents=self.incident_service,
            statuspage=self.statuspage_service,
            control=self.escalation_control,
            declarations=declarations,
            rooms=self.chat_rooms,
            timeline=self.timeline_repository,
            actor_of=self.chat_actors,
            clock=self.clock,
        )

    @part
    def timeline_capture(self) -> TimelineCapture:
        """Pinned, marked and shortcut messages of incident rooms, kept on the incidents' timelines."""
        from klaxon.services.chat.capture import TimelineCapture

        return TimelineCapture(
            chat=self.chat,
            rooms=self.chat_rooms,
            timeline=self.timeline_repository,
            actor_of=self.chat_actors,
        )

    @part
    def chat_reminders(self) -> ChatReminders:
        """Status update reminders in incident rooms, with their Snooze button."""
        from klaxon.services.chat.reminders import ChatReminders

        def last_public_update(incident_id: str) -> datetime | None:
            found = self.public_incident(incident_id)
            updates = found.updates if found is not None else []
            return max((u.created_at for u in updates), default=None)

        return ChatReminders(
            chat=self.chat,
            rooms=self.chat_rooms,
            incidents=self.incident_repository,
            policy=self.config_views.chat,
            last_public_update=last_public_update,
            clock=self.clock,
        )

    @part
    def oncall_groups(self) -> OnCallGroups:
        """Each configured schedule's chat user group, kept to who is on call."""
        from klaxon.services.chat.groups import OnCallGroups

        views = self.config_views
        return OnCallGroups(
            chat=self.chat,
            rooms=self.chat_rooms,
            groups=lambda: views.chat().oncall_groups,
            on_call=self.on_call_users,
            emails=views.user_emails,
            clock=self.clock,
        )

    @part
    def chat_room_service(self) -> ChatRoomService:
        """Each significant incident's room: opened, kept current, archived."""
        from klaxon.services.chat.people import FirstResponders
        from klaxon.services.chat.rooms import ChatRoomService, RoomLinks

        views, public_url = self.config_views, self.settings.public_url

        def links(incident: Incident) -> RoomLinks:
            page = views.statuspage()
            public = self.public_incident(incident.id) if page is not None else None
            return RoomLinks(
                incident_url=f"{public_url.rstrip('/')}/v1/incidents/{incident.id}" if public_url else None,
                status_page_url=f"{page.url.rstrip('/')}/incidents/{public.id}.html"
                if page and public
                else None,
            )

        return ChatRoomService(
            chat=self.chat,
            rooms=self.chat_rooms,
            incidents=self.incident_repository,
            policy=views.chat,
            on_call=FirstResponders(views.policies_and_people, self.on_call_users, views.user_emails),
            links=links,
            clock=self.clock,
            postmortem_exists=self.postmortem_service.exists,
            facts=lambda incident: self.sla_service.incident_facts(self.public_incident(incident.id)),
        )

    @part
    def statuspage_service(self) -> StatusPageService:
        """Public status incidents; the configuration's `statuspage` section says what the page shows."""
        from klaxon.adapters.statuspage_store import DynamoStatusIncidents
        from klaxon.services.statuspage.public_incidents import StatusPageService
        from klaxon.services.statuspage.subscribers import announcer

        return StatusPageService(
            store=DynamoStatusIncidents(),
            settings=self.config_views.statuspage,
            bus=self.bus,
            clock=self.clock,
            ids=self.ids,
            windows=self.noise_control.windows,
            announce=announcer(self.bus),
            introductions=self.directory.introductions,
            timeline=self.timeline_repository,
        )

    @part
    def statuspage_publisher(self) -> StatusPagePublisher:
        """Renders the status page when what it shows changed, at most once a second across publishers."""
        from klaxon.adapters.statuspage_store import DynamoRenderMarks
        from klaxon.services.statuspage.publisher import StatusPagePublisher

        return StatusPagePublisher(
            snapshot=self.statuspage_service.snapshot,
            marks=DynamoRenderMarks(),
            clock=self.clock,
            ids=self.ids,
        )

    @part
    def statuspage_events(self) -> StatusPageEvents:
        """What an incident, status update or schedule event does to the status page."""
        from klaxon.services.statuspage.page_events import StatusPageEvents

        return StatusPageEvents(self.statuspage_service, self.statuspage_publisher, self.status_site)

    @part
    def subscriber_service(self) -> SubscriberService:
        """Status page subscribers; links in their emails are absolute when KLAXON_PUBLIC_URL is set."""
        from klaxon.adapters.subscriber_email import SesEmailSender
        from klaxon.adapters.subscriber_store import DynamoSubscriberStore
        from klaxon.adapters.webhooks import HttpWebhookPoster
        from klaxon.services.statuspage.subscribers import SubscriberService

        statuspage = self.statuspage_service
        return SubscriberService(
            store=DynamoSubscriberStore(),
            settings=statuspage.settings,
            public_incident=self.public_incident,
            snapshot=statuspage.snapshot,
            email=SesEmailSender(self.settings.email_from),
            webhooks=HttpWebhookPoster(allow_loopback=self.settings.allow_loopback_webhooks),
            bus=self.bus,
            clock=self.clock,
            ids=self.ids,
            keys=self.link_keys,
            webhook_keys=self.webhook_keys,
            public_url=self.settings.public_url,
            allow_loopback_http=self.settings.allow_loopback_webhooks,
        )

    @part
    def noise_control(self) -> NoiseControl:
        """Grouping, maintenance windows and inhibition for the router, from the applied configuration."""
        from klaxon.services.noise.control import NoiseControl

        return NoiseControl(
            incidents=self.incident_repository,
            settings=self.config_views.noise,
            stored_windows=self.maintenance_store.current,
            clock=self.clock,
        )

    @part
    def maintenance_service(self) -> MaintenanceService:
        """Maintenance windows: declared in the configuration or added through the API; owner reminders."""
        from klaxon.services.noise.maintenance import Contact, MaintenanceService

        def people() -> dict[str, Contact]:
            found = self.config_views.policies_and_people().people
            return {p.id: Contact(name=p.name, contacts=p.contacts) for p in found.values()}

        return MaintenanceService(
            store=self.maintenance_store,
            declared=lambda: self.config_views.noise().windows,
            services=self.directory.services,
            people=people,
            notifier=self.notifier,
            clock=self.clock,
            ids=self.ids,
            release=self.noise_control.release_lapsed,
            bus=self.bus,
        )

    @part
    def heartbeat_service(self) -> HeartbeatService:
        """Heartbeats from the configuration, looked up by their key's digest under the pepper."""
        from klaxon.adapters.heartbeat_store import DynamoHeartbeatStore
        from klaxon.services.noise.heartbeats import HeartbeatService

        return HeartbeatService(
            heartbeats=self.config_views.heartbeats,
            keyed=self.keyed,
            store=DynamoHeartbeatStore(),
            bus=self.bus,
            clock=self.clock,
            ids=self.ids,
            limiter=self.rate_limiter,
        )

    # --- access ---------------------------------------------------------------------------------

    @part
    def keyed(self) -> Keyed:
        """The pepper API tokens and integration keys are digested under (Secrets Manager, made at deploy
        time); read on first use, so a function that never checks a credential never needs it."""
        from klaxon.adapters.pepper import SecretsManagerPepper

        return SecretsManagerPepper(self.settings.pepper_secret)

    @part
    def config_applier(self) -> ConfigApplier:
        from klaxon.services.configuration import ConfigApplier

        return ConfigApplier(
            store=self.directory, keyed=self.keyed, signing=self.signing_secrets, clock=self.clock
        )

    @part
    def token_store(self) -> TokenStore:
        from klaxon.adapters.token_store import DynamoTokenStore

        return DynamoTokenStore()

    @part
    def token_service(self) -> TokenService:
        from klaxon.services.access.tokens import TokenService

        return TokenService(
            store=self.token_store,
            keyed=self.keyed,
            clock=self.clock,
            ids=self.ids,
            services=self.directory.services,
        )

    @part
    def secret_service(self) -> SecretService:
        from klaxon.services.access.secrets import SecretService

        keyrings = {"link": self.link_keys, "webhook": self.webhook_keys}
        return SecretService(keyrings=keyrings, signing=self.signing_secrets)

    @part
    def audit_log(self) -> AuditLog:
        from klaxon.adapters.audit_log import DynamoAuditLog

        return DynamoAuditLog(export_bucket=self.settings.audit_bucket)

    @part
    def audit_service(self) -> AuditService:
        from klaxon.services.access.audit import AuditService

        return AuditService(log=self.audit_log, clock=self.clock, ids=self.ids)

    @part
    def rate_counter(self) -> RateCounter:
        from klaxon.adapters.rate_counter import DynamoRateCounter

        return DynamoRateCounter()

    @part
    def rate_limiter(self) -> RateLimiter:
        """Per token, integration and heartbeat: the configured limits times KLAXON_RATE_LIMIT_SCALE."""
        from klaxon.services.access.rate_limits import RateLimiter

        directory, scale = self.directory, self.settings.rate_limit_scale
        return RateLimiter(
            counter=self.rate_counter, clock=self.clock, limits=lambda: directory.rate_limits().scaled(scale)
        )

    @part
    def noise_report_service(self) -> NoiseReportService:
        from klaxon.services.noise.report import NoiseReportService

        return NoiseReportService(incidents=self.incident_repository, records=self.notification_records)


def build(settings: Settings, **provided: Any) -> Container:
    """A new container for `settings`; `provided` replaces parts by name (see Container)."""
    return Container(settings, **provided)


class _Process:
    """The container this process's handlers use (one per Lambda container, or per `klaxon up`)."""

    lock = threading.Lock()
    current: Container | None = None


def container() -> Container:
    """This process's container: the one installed, else one built from the environment on first use."""
    with _Process.lock:
        if _Process.current is None:
            _Process.current = build(Settings.from_environ())
        return _Process.current


def install(built: Container) -> Container:
    """Make `built` this process's container (the local platform, tests)."""
    with _Process.lock:
        _Process.current = built
    return built


def reset() -> None:
    """Forget this process's container; the next `container()` builds a new one from the environment."""
    with _Process.lock:
        _Process.current = None

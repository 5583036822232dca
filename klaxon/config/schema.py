"""The YAML config schema: users, teams, services, integrations, schedules and escalation policies."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from klaxon.config.chat import ChatConfig
from klaxon.config.integrity import find_problems
from klaxon.config.keys import HashedKey, KeyDigest, KeyHash, KeyHint, KeyInTheClear
from klaxon.config.limits import RateLimitsConfig
from klaxon.config.noise import HeartbeatConfig, InhibitionRuleConfig, ServiceMaintenanceWindow
from klaxon.config.postmortems import PostmortemConfig
from klaxon.config.problems import Problem, raise_if_any
from klaxon.config.routing import GenericFields, RoutingRule, rule_names_are_unique
from klaxon.config.runbooks import RunbookEntry, RunbookUrl
from klaxon.config.sla import CustomerConfig, SlaAlertsConfig, SloConfig
from klaxon.config.statuspage import StatusPageConfig
from klaxon.config.values import E164, EMAIL, SLACK_USER, Email, Id, SigningSecret, TimeZone
from klaxon.domain.incident.models import Severity
from klaxon.domain.intake.integration import InsufficientData
from klaxon.domain.model import Model
from klaxon.domain.paging.policy import Channel, EscalationPolicy
from klaxon.domain.schedule.models import Schedule

_FORBID = ConfigDict(frozen=True, extra="forbid")
SNS_TOPIC_ARN = r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$"


class ContactMethod(Model):
    """One way to reach a user: a push endpoint, a phone for SMS or voice, an email address, or Slack."""

    model_config = _FORBID

    type: Channel = Field(
        description="How this method reaches the user: `push`, `sms`, `voice`, `email` or `slack` (a direct "
        "message from the Klaxon app, docs/slack.md)."
    )
    address: str = Field(
        min_length=1,
        description='For `sms` and `voice` an E.164 phone number in quotes (`"+15550101001"`); for `email` '
        "an email address; for `push` the device or push endpoint id; for `slack` the person's Slack email "
        "or member id.",
    )
    label: str | None = Field(default=None, description="A name people recognise, such as `work phone`.")

    @model_validator(mode="before")
    @classmethod
    def _phone_read_as_number(cls, data: Any) -> Any:
        # YAML reads an unquoted +15550101001 as the number 15550101001; say so instead of "not a string".
        address = data.get("address") if isinstance(data, dict) else None
        if isinstance(address, int) and not isinstance(address, bool):
            raise_if_any(
                "ContactMethod",
                [(("address",), f'quote phone numbers: "+{address}" (unquoted, YAML reads a number)')],
            )
        return data

    @model_validator(mode="after")
    def _address_fits_type(self) -> ContactMethod:
        if self.type in (Channel.SMS, Channel.VOICE) and not E164.match(self.address):
            reason = f"{self.type} needs an E.164 phone number: '+', country code, number, no spaces"
            raise_if_any("ContactMethod", [(("address",), f"{reason} (e.g. +15550101001)")])
        if self.type is Channel.EMAIL and not EMAIL.match(self.address):
            raise_if_any("ContactMethod", [(("address",), f"{self.address!r} is not an email address")])
        if self.type is Channel.PUSH and any(c.isspace() for c in self.address):
            raise_if_any("ContactMethod", [(("address",), "a push endpoint id has no spaces")])
        if self.type is Channel.SLACK and not (EMAIL.match(self.address) or SLACK_USER.match(self.address)):
            reason = "slack needs the person's Slack email or their Slack member id (U0123ABCD)"
            raise_if_any("ContactMethod", [(("address",), reason)])
        return self


class NotificationRule(Model):
    """Once paged, notify the user on `channel` after `delay_minutes`, unless they acknowledged first."""

    model_config = _FORBID

    channel: Channel = Field(description="Which of the user's contact methods to use.")
    delay_minutes: int = Field(ge=0, le=1440, description="Minutes after the page; 0 is at once.")


# Push first because it is free and quiet, then louder and costlier channels while nobody acknowledges.
DEFAULT_NOTIFICATION_RULES: tuple[NotificationRule, ...] = (
    NotificationRule(channel=Channel.PUSH, delay_minutes=0),
    NotificationRule(channel=Channel.EMAIL, delay_minutes=0),
    NotificationRule(channel=Channel.SLACK, delay_minutes=0),
    NotificationRule(channel=Channel.SMS, delay_minutes=1),
    NotificationRule(channel=Channel.VOICE, delay_minutes=5),
)


class User(Model):
    """A person who can be paged, with the ways to reach them and the order to use them in."""

    model_config = _FORBID

    id: Id = Field(description="Short lowercase id that schedules, policies and teams refer to.")
    name: str = Field(min_length=1, description="Full name, as shown on pages and the timeline.")
    email: Email = Field(description="The user's account email (paging by email is a contact method).")
    time_zone: TimeZone = Field(description="IANA time zone for showing the user times (`America/New_York`).")
    role: str | None = Field(default=None, description="Free text such as `Engineering Manager`.")
    contact_methods: list[ContactMethod] = Field(min_length=1, description="Ways to reach the user.")
    notification_rules: list[NotificationRule] | None = Field(
        default=None,
        description="When to use which channel once paged. Absent: push, email and Slack at once, SMS after "
        "1 minute, a voice call after 5, for the channels the user has contact methods for.",
    )

    @model_validator(mode="after")
    def _rules_use_known_channels(self) -> User:
        have = {method.type for method in self.contact_methods}
        problems: list[Problem] = [
            (("notification_rules", i, "channel"), f"{self.id} has no {rule.channel} contact method")
            for i, rule in enumerate(self.notification_rules or [])
            if rule.channel not in have
        ]
        raise_if_any("User", problems)
        return self

    def effective_notification_rules(self) -> list[NotificationRule]:
        """The user's own rules, or the default ones for the channels the user can be reached on."""
        if self.notification_rules is not None:
            return list(self.notification_rules)
        have = {method.type for method in self.contact_methods}
        return [rule for rule in DEFAULT_NOTIFICATION_RULES if rule.channel in have]


class Team(Model):
    """A group of users that owns services."""

    model_config = _FORBID

    id: Id = Field(description="Short lowercase id that services refer to.")
    name: str = Field(min_length=1, description="Display name.")
    members: list[str] = Field(description="User ids of the team's members.")


class Service(Model):
    """Something that breaks: alerts for it open incidents on it, escalated by its policy."""

    model_config = _FORBID

    id: Id = Field(description="Short lowercase id that integrations and alerts refer to.")
    name: str = Field(min_length=1, description="Display name, also used on the status page.")
    escalation_policy: str = Field(description="Id of the escalation policy that pages for its incidents.")
    team: str | None = Field(default=None, description="Id of the owning team.")
    description: str | None = Field(default=None, description="What the service is, for the responder.")
    runbook: RunbookUrl | None = Field(
        default=None,
        description="The service's default runbook: its incidents get it when neither the alert nor a "
        "`runbooks` entry names one.",
    )
    group_by: list[str] = Field(
        default_factory=list,
        description="Alert labels that group alerts (PagerDuty events offer `source`, `component`, `group`, "
        "`class`, `severity`): alerts with equal values within `group_window_seconds` of the group's first "
        "open one incident and page once. An alert with none of the labels is not grouped.",
    )
    group_window_seconds: int = Field(
        default=300,
        ge=1,
        le=7 * 86400,
        description="How long after a group's first alert new alerts still join its incident (an alert "
        "already on it always does); later ones open the group's next incident.",
    )


class IntegrationKind(StrEnum):
    PAGERDUTY = "pagerduty"
    ALERTMANAGER = "alertmanager"
    GRAFANA = "grafana"
    CLOUDWATCH = "cloudwatch"
    DATADOG = "datadog"
    SENTRY = "sentry"
    GENERIC = "generic"


class Integration(HashedKey, Model):
    """A monitoring tool's way in: its key authenticates alerts, which go to one service or by label."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    id: Id = Field(description="Short lowercase id, recorded on every alert it accepts.")
    kind: IntegrationKind = Field(description="Payload format it accepts; `pagerduty` is Events API v2.")
    key: KeyInTheClear = None
    key_hash: KeyHash = None
    key_digest: KeyDigest = None
    key_hint: KeyHint = None
    service: str | None = Field(default=None, description="Service id every alert goes to.")
    service_label: str | None = Field(
        default=None,
        description="Instead of `service`: the alert label naming the service (e.g. `service`).",
    )
    default_service: str | None = Field(
        default=None,
        description="With `service_label`: the service for alerts whose label is missing or unknown.",
    )
    secret: SigningSecret | None = Field(
        default=None,
        description="Shared secret for tools that sign their requests (HMAC), kept in Secrets Manager; "
        "changing it rotates it (the old one verifies for 24 hours). "
        "`sentry` needs its client secret here (without it, every delivery is refused); `grafana` and "
        "`generic` check signatures when it is set, "
        "`datadog` expects it back in the `X-Klaxon-Secret` header.",
    )
    rules: list[RoutingRule] = Field(
        default_factory=list,
        description="Routing rules, tried in order on every alert; the first whose `match` holds sets the "
        "service, priority or urgency, or drops the alert. See docs/integrations.md.",
    )
    severity_map: dict[str, Severity] = Field(
        default_factory=dict,
        description="The source's own severity words (Datadog `P1`, CloudWatch `ALARM`, a `severity` label) "
        "mapped to `critical`, `error`, `warning` or `info`; unmapped words are read by name.",
    )
    allowed_topic_arns: list[Annotated[str, StringConstraints(pattern=SNS_TOPIC_ARN)]] = Field(
        default_factory=list,
        description="`cloudwatch` only, required there: the SNS topic ARNs whose subscription is confirmed "
        "and whose messages are accepted.",
    )
    insufficient_data: InsufficientData | None = Field(
        default=None,
        description="`cloudwatch` only: what an alarm entering INSUFFICIENT_DATA does; absent, `ignore`.",
    )
    fields: GenericFields | None = Field(
        default=None,
        description="`generic` only: where its JSON keeps each alert field, for `/v1/integrations/generic` "
        "(its key also works on `/v2/enqueue`, which needs none).",
    )

    @model_validator(mode="after")
    def _one_key_one_route(self) -> Integration:
        problems = self.key_problems("an integration needs its key")
        if self.service is not None and self.service_label is not None:
            problems.append((("service_label",), "route by service or by service_label, not both"))
        if self.service is None and self.service_label is None:
            problems.append(((), "an integration needs a service, or a service_label and default_service"))
        if self.service is None and self.service_label is not None and self.default_service is None:
            problems.append((("service_label",), "service_label needs a default_service for other alerts"))
        if self.service_label is None and self.default_service is not None:
            problems.append((("default_service",), "default_service is only used with service_label"))
        raise_if_any("Integration", problems)
        return self

    @model_validator(mode="after")
    def _settings_fit_the_kind(self) -> Integration:
        kind = self.kind
        problems: list[Problem] = rule_names_are_unique(self.rules)
        if kind is IntegrationKind.CLOUDWATCH and not self.allowed_topic_arns:
            reason = "a cloudwatch integration needs the SNS topics it accepts"
            problems.append((("allowed_topic_arns",), reason))
        for name, allowed in (("allowed_topic_arns", "cloudwatch"), ("insufficient_data", "cloudwatch")):
            if getattr(self, name) and kind != allowed:
                problems.append(((name,), f"only a {allowed} integration uses {name}"))
        if self.fields is not None and kind is not IntegrationKind.GENERIC:
            problems.append((("fields",), "only a generic integration uses fields"))
        raise_if_any("Integration", problems)
        return self


class KlaxonConfig(Model):
    """A whole organisation's Klaxon setup: the top level of the YAML file."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    users: list[User] = Field(min_length=1, description="Everyone who can be paged.")
    teams: list[Team] = Field(default_factory=list, description="Groups of users that own services.")
    services: list[Service] = Field(default_factory=list, description="What alerts are about.")
    integrations: list[Integration] = Field(default_factory=list, description="Where alerts come in.")
    schedules: list[Schedule] = Field(default_factory=list, description="Who is on call when.")
    escalation_policies: list[EscalationPolicy] = Field(
        default_factory=list, description="Who is paged, how, and when, until someone acknowledges."
    )
    statuspage: StatusPageConfig | None = Field(
        default=None, description="The public status page; absent, incidents never reach one."
    )
    maintenance_windows: list[ServiceMaintenanceWindow] = Field(
        default_factory=list, description="Planned work during which services' alerts page nobody."
    )
    inhibition_rules: list[InhibitionRuleConfig] = Field(
        default_factory=list, description="Open incidents that mute related new alerts until they resolve."
    )
    heartbeats: list[HeartbeatConfig] = Field(
        default_factory=list, description="Jobs that must ping regularly; silence opens an incident."
    )
    runbooks: list[RunbookEntry] = Field(
        default_factory=list, description="Runbooks, each with the alerts it is for (docs/runbooks.md)."
    )
    chat: ChatConfig | None = Field(
        default=None,
        description="The incident's chat room (Slack): which incidents get one, who joins (docs/slack.md). "
        "Absent: P1 and P2 incidents get a room, cards go to #incidents.",
    )
    postmortems: PostmortemConfig | None = Field(
        default=None,
        description="Post-mortem drafts (docs/postmortems.md). Absent: P1 and P2 get one, due 48 hours after "
        "resolution, from the blameless default template.",
    )
    slos: list[SloConfig] = Field(
        default_factory=list, description="Availability targets of status page components (docs/sla.md)."
    )
    customers: list[CustomerConfig] = Field(
        default_factory=list, description="Customers, the components they depend on, what they were promised."
    )
    sla_alerts: SlaAlertsConfig | None = Field(
        default=None,
        description="Alerts when a customer's budget passes 50, 75, 90 and 100% (docs/sla.md). Absent: none.",
    )
    rate_limits: RateLimitsConfig | None = Field(
        default=None,
        description="Requests a minute per integration key, API token and heartbeat (absent: 120, 960, 60).",
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> KlaxonConfig:
        raise_if_any("KlaxonConfig", find_problems(self))
        return self

    def stored(self) -> dict[str, Any]:
        """JSON-ready data to send to the platform: each `key` replaced by its SHA-256 (`key_hash`) and
        hint; signing secrets kept, because the platform verifies with them. It loads back."""
        data = self.model_dump(mode="json", exclude_none=True)
        for keyed, item in self._keyed_items(data):
            for field in ("key", "key_hash", "key_digest", "key_hint"):
                item.pop(field, None)
            item.update(keyed.stored_key())
        for integration, item in zip(self.integrations, data["integrations"], strict=True):
            # null, not absent: the file is the whole truth, so an integration without one has none
            item["secret"] = integration.secret.get_secret_value() if integration.secret is not None else None
        return data

    def persisted(self, keyed: Callable[[str], str]) -> dict[str, Any]:
        """What the platform keeps: each key as its digest under `keyed` (the pepper) and its hint, and no
        signing secret (those go to Secrets Manager). It loads back."""
        data = self.model_dump(mode="json", exclude_none=True)
        for model, item in self._keyed_items(data):
            for field in ("key", "key_hash", "secret"):
                item.pop(field, None)
            item["key_digest"] = model.digest(keyed)
            if (hint := model.hint()) is not None:
                item["key_hint"] = hint
        return data

    def public_view(self) -> dict[str, Any]:
        """What is safe to show or log: keys by their hint alone, no digest, hash or signing secret."""
        data = self.model_dump(mode="json", exclude_none=True)
        for model, item in self._keyed_items(data):
            for field in ("key", "key_hash", "key_digest", "secret"):
                item.pop(field, None)
            item["key_hint"] = model.hint()
        return data

    def _keyed_items(self, data: dict[str, Any]) -> list[tuple[HashedKey, dict[str, Any]]]:
        """Each keyed model (integrations, heartbeats) beside its dumped item in `data`."""
        pairs: list[tuple[HashedKey, dict[str, Any]]] = []
        pairs += zip(self.integrations, data.get("integrations", []), strict=True)
        pairs += zip(self.heartbeats, data.get("heartbeats", []), strict=True)
        return pairs

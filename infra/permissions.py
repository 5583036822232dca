"""What each function may touch: the one place to review Klaxon's IAM, read by the Functions construct."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Access:
    """One function's grants; anything not listed is denied. Table names are kinds of TABLE_ENV."""

    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()  # read and write
    publishes_events: bool = False
    payloads: tuple[Literal["put", "get"], ...] = ()  # the claim-check bucket of oversized alerts and details
    pages: bool = False  # sends pages: SMS and voice (End User Messaging), email (SES), mobile push (SNS)
    receives_sms: bool = False  # subscribed to the topic End User Messaging publishes SMS replies to
    # The config-table partitions it may write (`dynamodb:LeadingKeys`; `*` as in IAM's StringLike).
    # None: every partition. The partitions are the adapters' (klaxon/adapters/*_store.py and others).
    config_keys: tuple[str, ...] | None = None
    links: bool = False  # signs or verifies links with the link secret (infra/constructs/access_control.py)
    rotates_links: bool = False  # may write a new link secret (`POST /v1/secrets/link/rotate`)
    # The webhook secret status page webhooks' secrets derive from: read to sign, write to rotate it.
    webhooks: Literal["read", "write"] | None = None
    tokens: bool = False  # reads the pepper API tokens and integration keys are digested under
    # The integrations' signing secrets (one Secrets Manager secret): read to verify, write to apply a config.
    signing_secrets: Literal["read", "write"] | None = None
    slack: bool = False  # reads the Slack app's credentials (infra/constructs/access_control.py)
    github: bool = False  # reads the GitHub token post-mortems are published with
    trackers: bool = False  # reads the credentials of the trackers action items are filed in
    invokes_itself: bool = False  # Bolt's lazy listeners: the function invokes itself, asynchronously
    audits: bool = False  # puts audit records in the Object Lock bucket (infra/constructs/access_control.py)

    @property
    def tables(self) -> tuple[str, ...]:
        return self.reads + self.writes


# A function that reads a kind of record through the `live` index marks the records kept from before the
# index existed, once, and says so under `live-index` (klaxon.adapters.versioned_docs.live_of).
LIVE_INDEX = "live-index"

# The API writes what it configures and what its routes change: the config and its integrations, API
# tokens, incident numbers (drills), calendar feeds, overrides, maintenance windows, public incidents,
# subscribers, heartbeat pings.
API_CONFIG_KEYS = (
    "config",
    "postmortem",
    "integration",
    "api-token",
    "counter",
    "feed-version",
    "override#*",
    "maintenance-window",
    "status-incident",
    "status-subscriber",
    "status-last-delivery",
    "heartbeat",
    LIVE_INDEX,  # `klaxon action list --unsynced` reads the live post-mortems
)

ACCESS: dict[str, Access] = {
    # Ingest authenticates integration keys (config, by their digest under the pepper) and their signatures
    # (the signing secrets), publishes "Alert Received" and parks oversized alerts. It remembers acknowledge
    # and resolve deliveries for 24 h in the dedup table, so a replay does nothing.
    "ingest": Access(
        reads=("config",),
        writes=("dedup",),
        publishes_events=True,
        payloads=("put",),
        tokens=True,
        signing_secrets="read",
    ),
    # The router turns alerts into incidents: dedup records, incidents, their timeline, the incident counter.
    # Like every writer of incidents, it publishes nothing itself: each write carries its event, which the
    # outbox relay publishes from the table's stream.
    "router": Access(
        writes=("incidents", "dedup", "timeline", "config"),
        config_keys=("counter",),  # the incident number
        payloads=("get", "put"),
    ),
    # The outbox relay reads the incidents table's stream (granted by infra/constructs/outbox.py with the
    # event source mapping) and publishes each change's event; it reads and writes no table.
    "outbox_relay": Access(publishes_events=True),
    # The API acknowledges, resolves and configures. Drills open incidents through the router's use case,
    # so it also claims dedup keys. It pages no one: "escalate now" starts a new round on the bus. It
    # authenticates API tokens (config, under the pepper) and keeps the audit log (timeline, and the
    # write-once bucket).
    "api": Access(
        reads=("notifications",),
        writes=("incidents", "dedup", "timeline", "config"),
        config_keys=API_CONFIG_KEYS,
        publishes_events=True,
        payloads=("get",),
        tokens=True,
        signing_secrets="write",  # applying a configuration stores its integrations' secrets
        webhooks="write",  # hands out a new webhook's secret; rotates the webhook secret
        audits=True,
        links=True,
        rotates_links=True,
        slack=True,  # `GET /v1/incidents/{id}/chat` reads the room's messages from Slack
    ),
    # SMS replies acknowledge or resolve: the phone book (config), the incidents and their timeline, the
    # pages sent (only a phone paged for an incident may act on it). Receiving SMS, it may text a refusal
    # back (infra/constructs/messaging.py grants SendTextMessage alone).
    "sms_inbound": Access(
        reads=("config", "notifications"),
        writes=("incidents", "timeline"),
        receives_sms=True,
    ),
    # Stops an incident's escalation on ack/resolve and starts its ack-timeout run (the Step Functions
    # actions are granted by infra/constructs/escalation.py); reads config for the policy's timeout.
    "escalation_stop": Access(reads=("config",)),
    # The escalation step pages people, with acknowledge links signed by the link secret (Secrets Manager),
    # and by Slack direct message (the Slack secret).
    "escalation_step": Access(
        reads=("config",),
        writes=("incidents", "timeline", "notifications"),
        pages=True,
        links=True,
        slack=True,
    ),
    # The status page keeps public incidents in config; its S3 and CloudFront access is a role of the
    # StatusPageStack that it assumes (infra/constructs/statuspage_publisher.py), possibly in another account.
    # It announces each public update it records ("Status Update Posted") to statuspage_notify.
    # Each public update it records goes on its incident's timeline.
    "statuspage_publish": Access(
        writes=("config", "timeline"),
        config_keys=("status-incident", "status-render"),
        publishes_events=True,
    ),
    # Status page subscribers, their delivery records and the public incidents are in config; its confirm
    # and unsubscribe links are signed with the link secret. It emails subscribers (ses:SendEmail only,
    # granted by infra/constructs/statuspage_subscribers.py) and POSTs to webhooks; it pages no one.
    "statuspage_notify": Access(
        writes=("config",),
        config_keys=("status-subscriber", "status-last-delivery", "status-delivery#*"),
        links=True,
        webhooks="read",  # signs each webhook delivery
    ),
    # The sweeper reads triggered and acknowledged incidents (the by-status index), their claims and round
    # ends, and the policies (config); it writes each restoration to the timeline, and re-triggers an
    # incident whose acknowledgement timer was lost (incident + timeline). Its Step Functions grants (list
    # the running executions, start one) come from infra/constructs/escalation.py. After the deployment
    # that adds inhibition's index of open incidents, it marks those kept from before (incident updates,
    # and the mark under `live-index`: klaxon.adapters.source_index).
    "escalation_sweeper": Access(
        reads=("notifications",),
        writes=("incidents", "timeline", "config"),
        config_keys=(LIVE_INDEX,),
    ),
    # Heartbeats are configured in config, and their last ping is kept there; a miss is an alert on the bus.
    "heartbeat_check": Access(writes=("config",), config_keys=("heartbeat",), publishes_events=True),
    # Reminds owners (pages) of windows ending, recorded in config, and releases incidents opened in a
    # window that ended (incident update + timeline entry, whose "Incident Triggered" the relay publishes).
    "maintenance_reminder": Access(
        writes=("incidents", "timeline", "config"),
        config_keys=("maintenance-reminder", "maintenance-window", LIVE_INDEX),  # retires ended windows
        pages=True,
    ),
    # Post-mortem drafts: the incident, its timeline and its public incident (config) in; the draft out.
    # It reminds owners by email and Slack (pages, the Slack secret).
    "postmortem_draft": Access(
        reads=("incidents", "timeline"),
        writes=("config",),
        config_keys=("postmortem", "action-digest", LIVE_INDEX),  # action-digest: the monthly message, once
        pages=True,
        slack=True,
        github=True,  # publishes post-mortems as pull requests
        trackers=True,  # and as Confluence pages (the `confluence` entry of the tracker secret)
    ),
    # Action items: filed in the trackers (their credentials) from the post-mortems (config), each ticket
    # indexed for the webhooks (config); publishes nothing.
    "action_sync": Access(
        writes=("config",), config_keys=("postmortem", "action-ticket", LIVE_INDEX), trackers=True
    ),
    # The trackers' webhooks: verified with the credentials' webhook secrets (and Asana's handshake secret,
    # kept in config); a ticket done marks its post-mortem's action item (config). Asana's deliveries name
    # the task alone, so its state is read back with the credentials.
    "tracker_webhooks": Access(
        writes=("config",), config_keys=("postmortem", "action-ticket", "tracker-hook"), trackers=True
    ),
    # SLA budgets: the configuration and the status page's public incidents (config) in; each threshold's
    # alert claimed once (config) and put on the bus.
    "sla_check": Access(
        reads=("incidents",),  # alert-driven SLOs: their service's incidents of the last 3 days
        writes=("config", "timeline"),  # timeline: the log chat's room messages, without Slack
        config_keys=("sla-alert", "sla-burn"),
        publishes_events=True,
        slack=True,  # says a budget about to run out in the rooms of the incidents burning it
    ),
    # Chat rooms: reads incidents and the config (policies, schedules, the status page's public incidents),
    # keeps each room's record in config; without Slack it writes the room's messages to the timeline.
    "chat_sync": Access(
        reads=("incidents",),
        writes=("config", "timeline"),
        config_keys=("chat-room", "chat-room-of", "chat-group", LIVE_INDEX),
        slack=True,
    ),
    # Slack's requests: `/klaxon` acknowledges and resolves (incidents, timeline), notes and captured
    # messages go on the timeline, a confirmed status update changes the public incident (config) and asks
    # for a publish (PutEvents). It reads the rooms' records (config) to find a channel's incident, and
    # writes one when a reminder is snoozed. `/klaxon declare` opens an incident through the router's use
    # case: a dedup claim and an incident number.
    "slack": Access(
        reads=("notifications",),  # escalate: the round's last tick
        writes=("incidents", "dedup", "timeline", "config"),
        config_keys=("status-incident", "chat-room", "counter"),
        publishes_events=True,
        slack=True,
        invokes_itself=True,
    ),
}


def access_of(function: str) -> Access:
    """The grants of `function`; a function nobody has reviewed the permissions of does not deploy."""
    try:
        return ACCESS[function]
    except KeyError:
        raise LookupError(
            f"function {function!r} (klaxon.topology.FUNCTIONS) has no entry in infra.permissions.ACCESS"
        ) from None

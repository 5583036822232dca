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

    @property
    def tables(self) -> tuple[str, ...]:
        return self.reads + self.writes


ACCESS: dict[str, Access] = {
    # Ingest authenticates integration keys (config), publishes "Alert Received" and parks oversized alerts.
    # It remembers acknowledge and resolve deliveries for 24 h in the dedup table, so a replay does nothing.
    "ingest": Access(reads=("config",), writes=("dedup",), publishes_events=True, payloads=("put",)),
    # The router turns alerts into incidents: dedup records, incidents, their timeline, the incident counter.
    "router": Access(
        writes=("incidents", "dedup", "timeline", "config"), publishes_events=True, payloads=("get", "put")
    ),
    # The API acknowledges, resolves and configures. Drills open incidents through the router's use case,
    # so it also claims dedup keys. It pages no one: "escalate now" starts a new round on the bus.
    "api": Access(
        reads=("notifications",),
        writes=("incidents", "dedup", "timeline", "config"),
        publishes_events=True,
        payloads=("get",),
    ),
    # SMS replies acknowledge or resolve: the phone book (config), the incidents and their timeline, the
    # pages sent (only a phone paged for an incident may act on it). Receiving SMS, it may text a refusal
    # back (infra/constructs/messaging.py grants SendTextMessage alone).
    "sms_inbound": Access(
        reads=("config", "notifications"),
        writes=("incidents", "timeline"),
        publishes_events=True,
        receives_sms=True,
    ),
    # Stops an incident's escalation on ack/resolve and starts its ack-timeout run (the Step Functions
    # actions are granted by infra/constructs/escalation.py); reads config for the policy's timeout.
    "escalation_stop": Access(reads=("config",)),
    # The escalation step pages people; config is written too, as the ack-link secret is created on first use.
    "escalation_step": Access(
        writes=("incidents", "timeline", "notifications", "config"), publishes_events=True, pages=True
    ),
    # The status page keeps public incidents in config; its S3 and CloudFront access is a role of the
    # StatusPageStack that it assumes (infra/constructs/statuspage_publisher.py), possibly in another account.
    # It announces each public update it records ("Status Update Posted") to statuspage_notify.
    "statuspage_publish": Access(writes=("config",), publishes_events=True),
    # Status page subscribers, their delivery records, the public incidents and the link-signing secret are
    # in config. It emails subscribers (ses:SendEmail only, granted by
    # infra/constructs/statuspage_subscribers.py) and POSTs to webhooks; it pages no one.
    "statuspage_notify": Access(writes=("config",)),
    # Heartbeats are configured in config, and their last ping is kept there; a miss is an alert on the bus.
    "heartbeat_check": Access(writes=("config",), publishes_events=True),
    # Reminds owners (pages) of windows ending, recorded in config, and releases incidents opened in a
    # window that ended (incident update + timeline entry, then "Incident Triggered").
    "maintenance_reminder": Access(
        writes=("incidents", "timeline", "config"), publishes_events=True, pages=True
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

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
    "ingest": Access(reads=("config",), publishes_events=True, payloads=("put",)),
    # The router turns alerts into incidents: dedup records, incidents, their timeline, the incident counter.
    "router": Access(
        writes=("incidents", "dedup", "timeline", "config"), publishes_events=True, payloads=("get", "put")
    ),
    # The API acknowledges, resolves and configures; it shows dedup keys but never replaces them.
    "api": Access(
        reads=("dedup", "notifications"),
        writes=("incidents", "timeline", "config"),
        publishes_events=True,
        payloads=("get",),
        pages=True,
    ),
    # SMS replies acknowledge or resolve: the phone book (config), the incidents and their timeline.
    "sms_inbound": Access(
        reads=("config",), writes=("incidents", "timeline"), publishes_events=True, receives_sms=True
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
    "statuspage_publish": Access(writes=("config",)),
}


def access_of(function: str) -> Access:
    """The grants of `function`; a function nobody has reviewed the permissions of does not deploy."""
    try:
        return ACCESS[function]
    except KeyError:
        raise LookupError(
            f"function {function!r} (klaxon.topology.FUNCTIONS) has no entry in infra.permissions.ACCESS"
        ) from None

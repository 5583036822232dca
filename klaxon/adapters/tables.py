"""PynamoDB table models: the one description of every table, read by the adapters and by CDK.

Table names come from the settings (`KLAXON_TABLE_*`, set by CDK on every function), read when this
module is imported, so it must be imported after the environment is set.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.connection import Connection, TableConnection
from pynamodb.constants import STREAM_NEW_IMAGE
from pynamodb.exceptions import TableError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from klaxon.domain.incident import lifecycle
from klaxon.settings import TABLE_KINDS, Settings

# Each table kind's environment variable (infra sets them; tests find tables through them).
TABLE_ENV: dict[str, str] = {kind: Settings.env_name(f"table_{kind}") for kind in TABLE_KINDS}
_SETTINGS = Settings.from_environ()


def table_name(kind: str) -> str:
    return _SETTINGS.table(kind)


class _Meta:
    region = _SETTINGS.region
    billing_mode = "PAY_PER_REQUEST"


@functools.cache
def connection() -> Connection:
    """The process's one PynamoDB connection, for every table and transaction. PynamoDB gives each model
    and each `Connection()` a botocore session of its own, and each session loads botocore's endpoint
    and DynamoDB models again on its first request: ~50 ms and ~9 MB for every table a function touched
    (five models and three transaction writers). One session builds them once."""
    return _OnTheSharedSession(region=_Meta.region, host=getattr(_Meta, "host", None))


class _OnTheSharedSession(Connection):
    """A PynamoDB connection whose client is built on the process's one botocore session (`aws`), which
    boto3's clients share, not on a session of its own for each thread."""

    @property
    def session(self) -> Any:
        from klaxon.adapters.aws import botocore_session

        return botocore_session()

    @property
    def client(self) -> Any:
        if self._client is not None:  # every request asks; only its first builds, under the lock
            return super().client
        from klaxon.adapters.aws import CREATING

        with CREATING:
            return super().client


_tables_lock = threading.Lock()


class _Model(Model):
    """A PynamoDB model on the shared connection (`connection()`)."""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        table = super()._get_connection()
        shared = connection()
        if table.connection is not shared:
            with _tables_lock:  # two threads may reach their first request on two tables at once
                try:
                    shared.get_meta_table(table.table_name)
                except TableError:
                    shared.add_meta_table(table.connection.get_meta_table(table.table_name))
            table.connection = shared
        return table


def _index_meta(name: str) -> type:
    return type("Meta", (), {"index_name": name, "projection": AllProjection()})


class ByCreated(GlobalSecondaryIndex["IncidentItem"]):
    Meta = _index_meta("by-created")
    kind = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class ByStatus(GlobalSecondaryIndex["IncidentItem"]):
    Meta = _index_meta("by-status")
    status = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class ByService(GlobalSecondaryIndex["IncidentItem"]):
    Meta = _index_meta("by-service")
    service = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class ByDedupKey(GlobalSecondaryIndex["IncidentItem"]):
    Meta = _index_meta("by-dedup-key")
    dedup_key = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class ByNumber(GlobalSecondaryIndex["IncidentItem"]):
    """Incident number to id (`klaxon ack 12`): keys only, the item is then read by its id."""

    Meta = type("Meta", (), {"index_name": "by-number", "projection": KeysOnlyProjection()})
    number = NumberAttribute(hash_key=True)


class BySourceKey(GlobalSecondaryIndex["IncidentItem"]):
    """Open incidents by their `alertname` (domain.noise.inhibition.SOURCE_KEY), for inhibition: the key
    is written with a new incident and removed when it resolves, so the index holds open incidents, with
    their labels (the rules read nothing else) and status. The status is read too: a resolve by a function
    still on the version before the index leaves the key. Labels and keys never change while an incident
    is open, so only its status changes write this index."""

    Meta = type(
        "Meta", (), {"index_name": "by-source-key", "projection": IncludeProjection(["labels", "status"])}
    )
    source_key = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class OutboxAttribute(MapAttribute[str, Any]):
    """The event of the write that left the incident so (klaxon.events.IncidentEvent). The table's stream
    carries each write's new image to the outbox relay, which publishes it; a write with no event
    removes it."""

    detail_type = UnicodeAttribute()
    actor = UnicodeAttribute()
    reason = UnicodeAttribute()


# An incident's `status` while it is open (it may change), as the items hold it.
OPEN_STATUSES = tuple(s.value for s in lifecycle.OPEN)


class IncidentItem(_Model):
    """An incident. `created_key` (created_at ISO + id) sorts every index newest-last."""

    class Meta(_Meta):
        table_name = table_name("incidents")
        stream_view_type = STREAM_NEW_IMAGE  # the outbox: functions/outbox_relay.py reads it

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="incident")
    created_key = UnicodeAttribute()
    number = NumberAttribute()
    title = UnicodeAttribute()
    service = UnicodeAttribute()
    priority = UnicodeAttribute()
    urgency = UnicodeAttribute()
    status = UnicodeAttribute()
    dedup_key = UnicodeAttribute()
    alert_count = NumberAttribute(default=1)
    integration = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    severity = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    acknowledged_at = UnicodeAttribute(null=True)
    acknowledged_by = UnicodeAttribute(null=True)
    resolved_at = UnicodeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True)
    last_alert_at = UnicodeAttribute(null=True)
    last_alert_id = UnicodeAttribute(null=True)
    first_alert_id = UnicodeAttribute(null=True)
    # The redelivery guard: recent alert ids in two alternating generations (domain.incident.dedup).
    alert_ids_0 = UnicodeSetAttribute(null=True)
    alert_ids_1 = UnicodeSetAttribute(null=True)
    details = JSONAttribute(null=True)
    details_ref = UnicodeAttribute(null=True)
    attachments_ref = UnicodeAttribute(null=True)
    links = JSONAttribute(null=True)
    images = JSONAttribute(null=True)
    alerts: MapAttribute[str, Any] = MapAttribute(
        default=dict
    )  # fingerprint -> alert instance (JSON-able map)
    drill = BooleanAttribute(default=False)
    drill_time_scale = NumberAttribute(null=True)
    escalation_policy = UnicodeAttribute(null=True)
    routing_rule = UnicodeAttribute(null=True)
    escalation_round = NumberAttribute(default=0)
    escalation_from_step = NumberAttribute(default=0)
    labels: MapAttribute[str, Any] = MapAttribute(null=True)  # inhibition rules match these
    source_key = UnicodeAttribute(null=True)  # labels' alertname while open (by-source-key)
    grouped = BooleanAttribute(default=False)
    revision = NumberAttribute(default=0)
    maintenance_window = UnicodeAttribute(null=True)
    inhibited_by = UnicodeAttribute(null=True)
    muted_urgency = UnicodeAttribute(null=True)
    runbook = JSONAttribute(null=True)  # domain.runbooks.models.IncidentRunbook
    roles = JSONAttribute(null=True)  # {"commander": "carol", ...}
    outbox = OutboxAttribute(null=True)

    by_created = ByCreated()
    by_status = ByStatus()
    by_service = ByService()
    by_dedup_key = ByDedupKey()
    by_number = ByNumber()
    by_source_key = BySourceKey()


class DedupItem(_Model):
    """The latest incident opened for (service, dedup key); replaced only by a conditional write.

    The table also remembers webhook deliveries (`delivery#…`, incident_id "-") until `expires_at`, and
    counts requests for rate limits (`rate#…`, `hits`) until the window after theirs has passed.
    """

    class Meta(_Meta):
        table_name = table_name("dedup")

    key = UnicodeAttribute(hash_key=True)
    incident_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)
    hits = NumberAttribute(null=True)  # rate counters only: requests in the window


class TimelineItem(_Model):
    """One timeline entry; `sort` is the ISO time plus a unique suffix so entries never collide."""

    class Meta(_Meta):
        table_name = table_name("timeline")

    subject = UnicodeAttribute(hash_key=True)
    sort = UnicodeAttribute(range_key=True)
    at = UnicodeAttribute()
    kind = UnicodeAttribute()
    actor = UnicodeAttribute()
    message = UnicodeAttribute()
    data = JSONAttribute(null=True)
    source = UnicodeAttribute(null=True)  # absent: "klaxon"
    ref = UnicodeAttribute(null=True)


class ByLive(GlobalSecondaryIndex["ConfigItem"]):
    """The records a timer still has work in, by kind: `live` is the record's pk, set only while it has
    (klaxon.adapters.versioned_docs). Sparse, so a timer reads the open post-mortems or chat rooms, not
    every one ever kept."""

    Meta = _index_meta("live")
    live = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ConfigItem(_Model):
    """Configuration and small records: the applied config, integration keys by hash, counters."""

    class Meta(_Meta):
        table_name = table_name("config")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    value = NumberAttribute(null=True)
    doc = JSONAttribute(null=True)
    live = UnicodeAttribute(null=True)  # the pk again while a timer has work in the record (ByLive)

    by_live = ByLive()


class NotificationItem(_Model):
    """Escalation records of one incident: `claim#…` (a tick claimed) and `page#…` (one send, by its key)."""

    class Meta(_Meta):
        table_name = table_name("notifications")

    incident_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    status = UnicodeAttribute(null=True)
    token = UnicodeAttribute(null=True)  # on claims: the run that owns the tick; on pages: who reserved it
    lease_until = NumberAttribute(null=True)  # on pages being sent: epoch seconds the reservation lasts


ALL_MODELS: tuple[type[Model], ...] = (IncidentItem, DedupItem, TimelineItem, ConfigItem, NotificationItem)

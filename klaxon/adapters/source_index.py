"""The incidents table's `by-source-key` index (IncidentItem.by_source_key): the open incidents by their
alertname (domain.noise.inhibition.SOURCE_KEY), which inhibition reads instead of every open incident.

klaxon.adapters.dynamodb_incidents writes a new incident with its key and removes the key when the incident
resolves. Incidents kept from before the index have none: the escalation sweeper, each minute, marks the
open ones (klaxon.adapters.live_index: the mark `live-index`/`incident-sources`, then an hour of marking
again for what functions still on the previous version open). Until that first mark, inhibition reads
every open incident, as before the index; while DynamoDB builds the index, too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

from pynamodb.exceptions import QueryError, UpdateError
from pynamodb.expressions.condition import Condition

from klaxon.adapters import live_index
from klaxon.adapters.tables import OPEN_STATUSES, IncidentItem
from klaxon.domain.noise.inhibition import source_key

log = logging.getLogger(__name__)
MARK = "incident-sources"
MAX_KEY_BYTES = 2048  # DynamoDB's limit on an index's partition key value
_CONDITION_FAILED = ("ConditionalCheckFailedException",)


def key_of(labels: Mapping[str, str]) -> str | None:
    """The index key of an incident (or a lookup) with these labels: its alertname, if it has one that
    DynamoDB takes as a key. An incident without is not in the index; a lookup without reads by status."""
    key = source_key(labels)
    return key if key is not None and len(key.encode()) <= MAX_KEY_BYTES else None


def open_with_key(key: str, condition: Condition | None, attributes: list[str]) -> list[IncidentItem] | None:
    """The open incidents whose source key is `key` and that match `condition`, projected to
    `attributes`; None while the index cannot be read (not marked yet, or still being built). Open by
    their status, not only by their key: a function on the version before the index resolves an
    incident without removing it."""
    if not live_index.ready(MARK):
        return None
    still_open = IncidentItem.status.is_in(*OPEN_STATUSES)
    where = still_open if condition is None else condition & still_open
    try:
        return list(
            IncidentItem.by_source_key.query(key, filter_condition=where, attributes_to_get=attributes)
        )
    except QueryError as exc:
        if not _not_there_yet(exc):
            raise
        log.warning("inhibition reads open incidents by status: %s", exc.cause_response_message)
        return None


def _not_there_yet(exc: QueryError) -> bool:
    """DynamoDB's answer while the deployment that adds the index is under way: the index is unknown
    (the function's new code runs before the table's update), or DynamoDB is still building it."""
    message = exc.cause_response_message or ""
    if exc.cause_response_code == "ResourceNotFoundException":
        return True
    return exc.cause_response_code == "ValidationException" and (
        "backfilling" in message or "does not have the specified index" in message
    )


def open_by_status(condition: Condition | None, attributes: list[str] | None) -> Iterator[IncidentItem]:
    """The open incidents matching `condition`, by status (`attributes`: only these, projected)."""
    for status in OPEN_STATUSES:
        yield from IncidentItem.by_status.query(
            status, filter_condition=condition, attributes_to_get=attributes
        )


def mark() -> None:
    """The sweeper's part: mark the open incidents kept from before the index, until it has settled."""
    live_index.ready(MARK, _mark_kept)


def _mark_kept() -> None:
    """Give each open incident with an alertname and no source key its key, only while it is still open
    (a resolve meanwhile removed it for good). The write carries no event, as it changes nothing one is
    about."""
    for item in open_by_status(None, ["id", "labels", "source_key"]):
        key = key_of(item.labels.as_dict()) if item.labels is not None else None
        if item.source_key is not None or key is None:
            continue
        condition = IncidentItem.status.is_in(*OPEN_STATUSES) & IncidentItem.source_key.does_not_exist()
        try:
            IncidentItem(id=item.id).update(
                actions=[IncidentItem.source_key.set(key), IncidentItem.outbox.remove()], condition=condition
            )
        except UpdateError as exc:
            if exc.cause_response_code not in _CONDITION_FAILED:
                raise

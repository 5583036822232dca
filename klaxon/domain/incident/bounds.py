"""How big an incident record may be: what stays on it, and what moves to the payload store (claim-check)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from klaxon.domain.incident.models import AlertInstance, Incident

# A DynamoDB item holds 400 KB. An incident opens well under that so later writes still fit: the
# redelivery guard's ids (about 70 KB at most) and the alerts that join.
ITEM_BUDGET = 256 * 1024
DETAILS_INLINE_LIMIT = 64 * 1024
INLINE_LINKS = 50
INLINE_IMAGES = 20
INLINE_TEXT = 1024  # title, source
INLINE_LABEL = 256  # a label (name and value) longer than this is left to the payload store
STORED_FIELDS = ("title", "source", "links", "images", "alerts", "labels")


@dataclass(frozen=True)
class Bounded:
    """The incident as its record holds it, and what its record leaves out, as JSON for the store."""

    incident: Incident
    details: bytes | None = None  # the details, when over DETAILS_INLINE_LIMIT
    attachments: bytes | None = None  # the fields of STORED_FIELDS in full, when any was cut


def record_size(incident: Incident) -> int:
    """An upper bound of the item's size: DynamoDB counts names and values, JSON adds punctuation."""
    return len(incident.model_dump_json(exclude_none=True).encode())


def bound(incident: Incident) -> Bounded:
    """Cut the record down to its budget: details over 64 KB out, links, images and long text capped,
    then (only if still over) alert instances slimmed to fingerprint and status, and long labels out."""
    details = None
    if incident.details is not None:
        encoded = json.dumps(incident.details, default=str).encode()
        if len(encoded) > DETAILS_INLINE_LIMIT:
            details, incident = encoded, incident.model_copy(update={"details": None})
    full = {name: getattr(incident, name) for name in STORED_FIELDS}
    cut: dict[str, Any] = {
        "links": incident.links[:INLINE_LINKS],
        "images": incident.images[:INLINE_IMAGES],
        "title": incident.title[:INLINE_TEXT],
        "source": incident.source[:INLINE_TEXT] if incident.source else incident.source,
    }
    kept = incident.model_copy(update=cut)
    if record_size(kept) > ITEM_BUDGET:
        slim = {fp: AlertInstance(fingerprint=fp, status=a.status) for fp, a in kept.alerts.items()}
        kept = kept.model_copy(update={"alerts": slim})
    if record_size(kept) > ITEM_BUDGET:
        short = {k: v for k, v in kept.labels.items() if len(k) + len(v) <= INLINE_LABEL}
        kept = kept.model_copy(update={"labels": short})
    if all(getattr(kept, name) == value for name, value in full.items()):
        return Bounded(incident=kept, details=details)
    stored = incident.model_dump(mode="json", include=set(STORED_FIELDS))
    return Bounded(incident=kept, details=details, attachments=json.dumps(stored).encode())


def restored(incident: Incident, attachments: bytes) -> Incident:
    """The incident with the fields its record left out, from the payload store's copy."""
    stored = {k: v for k, v in json.loads(attachments).items() if k in STORED_FIELDS}
    full = Incident.model_validate(incident.model_dump() | stored)
    return incident.model_copy(update={name: getattr(full, name) for name in stored})

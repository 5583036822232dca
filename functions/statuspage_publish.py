"""Status page publisher: incident events open and resolve public incidents, then the site is rendered and
uploaded (only changed files, only their CDN paths invalidated) if what it shows changed, at most once a
second across concurrent invocations. A schedule re-renders it for maintenance windows and the daily uptime
bars, and so do the other events (a status update, a maintenance window, `klaxon statuspage publish`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.events import INCIDENT_DETAIL_TYPES, DetailType, IncidentChanged

logger = Logger(service="klaxon-statuspage")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    parts = wiring.container()
    service = parts.statuspage_service
    detail_type = event.get("detail-type")
    public = None
    if detail_type in INCIDENT_DETAIL_TYPES:
        incident = IncidentChanged.model_validate(event["detail"]).incident
        public = service.on_incident(DetailType(detail_type), incident)
    if detail_type in INCIDENT_DETAIL_TYPES and public is None:
        # Not on the page (P4, a drill, muted, a service without components): nothing it shows changed.
        # Reading every public incident to find that out was most of a busy soak's status page work.
        return {"public_incident": None, "uploaded": 0}
    site = parts.status_site()
    if site is None:
        logger.warning("no status page site configured (KLAXON_STATUS_*): nothing published")
        return {"public_incident": public.id if public else None, "uploaded": 0}
    # A public incident's event can leave the page as it was (an acknowledgement shows nothing new).
    published = parts.statuspage_publisher.publish(site, forced=detail_type not in INCIDENT_DETAIL_TYPES)
    logger.info(
        "status page published",
        extra={"uploaded": len(published.uploaded), "invalidated": list(published.invalidated)},
    )
    return {"public_incident": public.id if public else None, "uploaded": len(published.uploaded)}

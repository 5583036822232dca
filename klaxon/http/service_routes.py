"""`GET /v1/services/{service_id}/timeline`: what was sent about a service that is no incident, its change
events (deploys, configuration changes: PagerDuty's Change Events, `POST /v2/change/enqueue`)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from klaxon.domain.errors import NotFound
from klaxon.domain.incident.models import changes_subject
from klaxon.http import deps, paging
from klaxon.http.schemas import Timeline

router = Router()


class ServiceTimeline(Timeline):
    """A page of the service's change events, newest first."""


@router.get(
    "/v1/services/<service_id>/timeline",
    tags=["services"],
    summary="The service's change events (deploys and the like), newest first",
    description="Each change event sent for the service (`POST /v2/change/enqueue`) is an entry of kind "
    "`change`: its summary, the integration that sent it, its `source` and `links`, at the event's "
    "`timestamp` (else when it arrived). Newest first, `limit` to a page; `next` pages back in time. A "
    "token scoped to other services gets 404, as for a service the configuration does not name.",
)
def handle_get_service_timeline(
    directory: deps.Directory,
    timeline: deps.TimelineLog,
    service_id: str,
    limit: paging.TimelineLimit = paging.TIMELINE_PAGE,
    next: paging.Cursor = None,
) -> ServiceTimeline:
    if service_id not in directory.services():
        raise NotFound(f"service {service_id} not found")
    page = timeline.page(changes_subject(service_id), next, limit, newest_first=True)
    return ServiceTimeline(timeline=page.entries, next=page.next)

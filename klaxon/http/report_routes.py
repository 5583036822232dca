"""Report routes of the API function: on-call load and the stipend owed, per person; action items created
and completed; response times and post-mortem completion (docs/postmortems.md#reports)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from klaxon.domain.instants import LaxInstant
from klaxon.domain.reports.actions import ActionReport
from klaxon.domain.reports.response import ResponseReport
from klaxon.domain.sla.report import SlaReport
from klaxon.http import deps
from klaxon.services.schedule.reports import LoadReport

router = Router()


@router.get(
    "/v1/reports/oncall-load",
    tags=["reports"],
    summary="Per person: hours on call, off-hours, weekend hours, pages and the stipend owed",
)
def handle_get_oncall_load(
    reports: deps.Reports,
    start: Annotated[LaxInstant, Query()],
    end: Annotated[LaxInstant, Query()],
    weekly_rate: Annotated[
        Decimal | None, Query(ge=0, description="Stipend for a full 168-hour week; prorated by hours on call")
    ] = None,
    currency: Annotated[str, Query(pattern="^[A-Z]{3}$")] = "USD",
) -> LoadReport:
    return reports.oncall_load(start, end, weekly_rate, currency)


@router.get(
    "/v1/reports/actions",
    tags=["reports"],
    summary="Action items created in [start, end): created and completed per month, team and service",
    description="With the completion rate against the 80% goal (`warning` says first when the last month "
    "fell short) and every overdue item with its owner.",
)
def handle_get_action_report(
    learning: deps.Learning, start: Annotated[LaxInstant, Query()], end: Annotated[LaxInstant, Query()]
) -> ActionReport:
    return learning.actions(start, end)


@router.get(
    "/v1/reports/response",
    tags=["reports"],
    summary="MTTA and MTTR (mean, median, p90) per service, team, priority and month; post-mortems in 48 h",
    description="Over the incidents opened in [start, end), drills left out; each figure lists the incidents "
    "behind it.",
)
def handle_get_response_report(
    learning: deps.Learning, start: Annotated[LaxInstant, Query()], end: Annotated[LaxInstant, Query()]
) -> ResponseReport:
    return learning.response(start, end)


@router.get(
    "/v1/reports/sla",
    tags=["reports"],
    summary="A customer's SLA compliance over [start, end): availability, what counted, credits owed",
    description="Per contract: the target, availability per component and overall, each incident that "
    "counted (start, end, status, weight, minutes), maintenance left out, the credit per month, and the "
    "budget's burn-down.",
)
def handle_get_sla_report(
    sla: deps.Sla,
    customer: Annotated[str, Query(min_length=1, max_length=64)],
    start: Annotated[LaxInstant, Query()],
    end: Annotated[LaxInstant, Query()],
) -> SlaReport:
    return sla.report(customer, start, end)

"""The query parameters of a paged timeline (an incident's, a schedule's): its page size and cursor."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

TIMELINE_PAGE = 500  # entries in a page unless asked for fewer: every entry of most incidents

TimelineLimit = Annotated[int, Query(ge=1, le=1000, description="entries in a page (at most 1,000)")]
Cursor = Annotated[
    str | None, Query(min_length=1, max_length=4096, description="`next` of the previous page")
]

"""Schemathesis over every operation of docs/openapi.json against the running platform.

Authenticated, with a fixed seed (Hypothesis `derandomize`): no response is a 5xx, and every response
whose status the document describes matches its schema. FUZZ_EXAMPLES per operation (about 5,000
requests in all) keeps the run inside the e2e tier's budget.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from klaxon.http.openapi_file import PATH
from tests.e2e.support import API_TOKEN, Platform

pytestmark = pytest.mark.e2e
FUZZ_EXAMPLES = 110  # per operation: well over 5,000 requests over the document's operations
MIN_REQUESTS = 5_000
SENT: list[str] = []


schema = schemathesis.openapi.from_path(PATH)


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_5xx_or_off_its_schema(case: schemathesis.Case, platform: Platform) -> None:
    response = case.call(base_url=platform.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=30)
    SENT.append(f"{case.method} {case.path}")
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


def test_the_fuzzing_run_was_the_size_promised() -> None:
    """Runs after the operations above (pytest keeps the file's order): a run that shrank is a failure."""
    assert len(SENT) >= MIN_REQUESTS, f"only {len(SENT)} requests over {len(set(SENT))} operations"

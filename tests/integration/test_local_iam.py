"""The local platform refuses a function's write that its IAM role would not allow in AWS.

The grants are infra.permissions.ACCESS, which CDK synthesizes the roles from (tests/infra checks the
template against it), so every integration and e2e test that drives a function also proves that it
needs no more than its row: table writes, and the config-table partitions of its dynamodb:LeadingKeys.
"""

from __future__ import annotations

import pytest
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError

from infra.permissions import ACCESS
from klaxon.adapters.tables import ConfigItem, IncidentItem
from klaxon.local.invoker import RUNNING


@pytest.fixture
def as_function(platform):
    def run(name: str, write):
        token = RUNNING.set(name)
        try:
            return write()
        finally:
            RUNNING.reset(token)

    return run


def _error_code(exc: Exception) -> str:
    return getattr(exc, "cause_response_code", "") or str(exc)


def test_a_config_write_outside_the_functions_leading_keys_is_refused(as_function):
    with pytest.raises(PutError) as refused:
        as_function("heartbeat_check", ConfigItem(pk="api-token", sk="forged", doc={}).save)
    assert "AccessDenied" in _error_code(refused.value)
    as_function("heartbeat_check", ConfigItem(pk="heartbeat", sk="probe", doc={}).save)  # its own


def test_a_write_to_a_table_the_role_lacks_is_refused(as_function):
    assert "incidents" not in ACCESS["escalation_stop"].writes
    with pytest.raises(DeleteError) as refused:
        as_function("escalation_stop", IncidentItem(id="nope").delete)
    assert "AccessDenied" in _error_code(refused.value)


def test_a_transaction_is_checked_item_by_item(as_function, platform):
    from klaxon import wiring

    directory = wiring.container().directory
    document = directory.config_document()
    with pytest.raises(TransactWriteError) as refused:
        as_function("statuspage_publish", lambda: directory.apply(document, {}))
    assert "AccessDenied" in _error_code(refused.value)
    assert directory.config_document() == document  # nothing of it was written


def test_writes_outside_a_function_are_not_checked(platform):
    ConfigItem(pk="anything", sk="fixture", doc={}).save()  # the platform's setup and test fixtures

"""Escalation transactions cancelled by contention (another write in progress on an item, throttling) are
tried again, and never read as a condition's refusal: a claim or a reservation that did read them so paged
nobody. moto runs one request at a time and never cancels for contention: the cancellations are injected
at the botocore client, as DynamoDB answers them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import TransactWriteError

from klaxon.domain.errors import Busy, Conflict
from klaxon.domain.incident.models import TimelineEntry
from klaxon.domain.paging.escalation import Tick
from tests.fakes.memory import page_to_alice, sent
from tests.integration.test_ack_paths import open_incident

ROUND = 0


def _cancelled(reasons: list[str]) -> ClientError:
    listed = ", ".join(reasons)
    return ClientError(
        {
            "Error": {
                "Code": "TransactionCanceledException",
                "Message": f"Transaction cancelled, please refer cancellation reasons for specific reasons "
                f"[{listed}]",
            },
            "CancellationReasons": [{"Code": code} for code in reasons],
        },
        "TransactWriteItems",
    )


@pytest.fixture
def contention(platform: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`contention(n, reasons)`: the next n TransactWriteItems are cancelled with these reasons."""
    from klaxon.adapters import transactions
    from klaxon.adapters.tables import connection

    client = connection().client
    real, left = client._make_api_call, {"n": 0, "reasons": ["None", "TransactionConflict"]}
    tried: list[str] = []

    def call(operation: str, kwargs: dict[str, Any]) -> Any:
        if operation == "TransactWriteItems":
            tried.append(operation)
            if left["n"]:
                left["n"] -= 1
                raise _cancelled(left["reasons"])
        return real(operation, kwargs)

    monkeypatch.setattr(client, "_make_api_call", call)
    monkeypatch.setattr(transactions, "BACKOFF_SECONDS", 0.001)

    def contend(times: int, reasons: list[str] | None = None) -> list[str]:
        left["n"] = times
        left["reasons"] = reasons or ["None", "TransactionConflict"]
        tried.clear()
        return tried

    return contend


@pytest.fixture
def records(platform: Any) -> Any:
    from klaxon import wiring

    return wiring.container().notification_records


def test_a_claim_contended_a_few_times_is_made(records: Any, contention: Any) -> None:
    from klaxon.adapters import transactions

    incident = open_incident()
    tried = contention(transactions.ATTEMPTS - 1)
    records.claim(incident.id, ROUND, Tick(), "run-1")
    assert len(tried) == transactions.ATTEMPTS
    assert records.latest_claim(incident.id, ROUND).token == "run-1"


def test_a_claim_contended_still_fails_the_task_and_is_not_read_as_not_ours(
    records: Any, contention: Any
) -> None:
    from klaxon.adapters import transactions

    incident = open_incident()
    contention(transactions.ATTEMPTS, ["ThrottlingError", "None"])
    with pytest.raises(TransactWriteError) as raised:
        records.claim(incident.id, ROUND, Tick(), "run-1")
    assert not isinstance(raised.value, Conflict)
    records.claim(incident.id, ROUND, Tick(), "run-1")  # the task's retry claims it


def test_a_reservation_contended_still_fails_the_task_instead_of_not_sending(
    records: Any, contention: Any
) -> None:
    from klaxon.adapters import transactions

    incident = open_incident()
    page, now = page_to_alice(incident), datetime.now(UTC)
    contention(transactions.ATTEMPTS)
    with pytest.raises(TransactWriteError):
        records.reserve(ROUND, page, "run-1", now)
    assert records.reserve(ROUND, page, "run-1", now)


def test_a_condition_refusal_with_contention_beside_it_is_a_refusal(records: Any, contention: Any) -> None:
    incident = open_incident()
    tried = contention(1, ["ConditionalCheckFailed", "TransactionConflict"])
    with pytest.raises(Conflict):
        records.claim(incident.id, ROUND, Tick(), "run-1")
    assert len(tried) == 1  # not tried again: a condition said no


def test_a_result_contended_still_is_recorded_alone_then_its_line(records: Any, contention: Any) -> None:
    """The task failing there would page again (its retry takes over its own reservation)."""
    from klaxon import wiring
    from klaxon.adapters import transactions

    incident = open_incident()
    page, now = page_to_alice(incident), datetime.now(UTC)
    assert records.reserve(ROUND, page, "run-1", now)
    line = TimelineEntry(subject=incident.id, at=now, kind="notified", actor="system:escalation", message="m")
    tried = contention(transactions.ATTEMPTS)
    records.record(ROUND, page, sent(page, now), line)

    assert len(tried) == transactions.ATTEMPTS
    assert [n.status.value for n in records.list(incident.id)] == ["sent"]
    assert not records.reserve(ROUND, page, "run-1", now)  # recorded: never sent again
    timeline = wiring.container().timeline_repository.list(incident.id)
    assert [(e.kind, e.message) for e in timeline if e.actor == "system:escalation"] == [("notified", "m")]


def test_an_acknowledgement_contended_a_moment_is_made(http: Any, contention: Any) -> None:
    """It was answered 200 with the incident still triggered: the cancellation read as someone else's
    change, and the re-read incident could still be acknowledged."""
    incident = open_incident()
    contention(1)
    answer = http.post(f"/v1/incidents/{incident.id}/acknowledge")
    assert (answer.status_code, answer.json()["status"]) == (200, "acknowledged")


def test_an_acknowledgement_contended_still_is_a_503_to_try_again(http: Any, contention: Any) -> None:
    """It was a 502 (the function failed): a client could not tell it from a bug. The request may succeed a
    moment later, and it does."""
    from klaxon.adapters import transactions

    incident = open_incident()
    contention(transactions.ATTEMPTS)
    answer = http.post(f"/v1/incidents/{incident.id}/acknowledge")

    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "1")
    assert "try again" in answer.json()["message"]
    retried = http.post(f"/v1/incidents/{incident.id}/acknowledge")
    assert (retried.status_code, retried.json()["status"]) == (200, "acknowledged")


def test_an_acknowledge_link_contended_still_shows_a_page_to_try_again(
    platform: Any, contention: Any
) -> None:
    """The link is for people: a 503 page that says what to do, not the API's JSON."""
    import httpx

    from klaxon.adapters import transactions
    from tests.integration.test_ack_paths import link_for

    incident = open_incident()
    link = link_for(incident)
    contention(transactions.ATTEMPTS)
    answer = httpx.post(link, timeout=10)

    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "1")
    assert answer.headers["content-type"].startswith("text/html")
    assert "try again" in answer.text
    assert httpx.post(link, timeout=10).status_code == 200


# The other transactions: a new incident's write, a schedule's override and its revision, a configuration
# applied. Each was read as refused (a conflict, "already removed") or failed the request when contended.


def test_a_new_incident_contended_a_moment_is_written(contention: Any) -> None:
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository

    tried = contention(1)

    incident = open_incident()  # DynamoIncidentRepository.create

    assert DynamoIncidentRepository().get(incident.id) is not None
    assert len(tried) == 2


def test_a_new_incident_contended_still_is_not_read_as_one_that_exists(contention: Any) -> None:
    from klaxon.adapters import transactions

    contention(transactions.ATTEMPTS)

    with pytest.raises(Busy) as raised:
        open_incident()

    assert isinstance(raised.value.__cause__, TransactWriteError)
    assert transactions.contended(raised.value.__cause__)


def test_an_override_contended_a_moment_is_added_and_removed(platform: Any, contention: Any) -> None:
    from klaxon.adapters.overrides import DynamoOverrideRepository
    from klaxon.domain.schedule.models import Override

    overrides = DynamoOverrideRepository()
    start = datetime(2031, 1, 1, tzinfo=UTC)
    override = Override(
        id="contended", schedule="primary", user="alice", start=start, end=start.replace(day=2)
    )
    before = overrides.revision("primary")

    contention(1)
    overrides.add(override)
    added = overrides.list("primary")
    contention(1)
    removed = overrides.remove("primary", "contended")  # it read as "already removed": 404

    assert (override in added, removed, overrides.list("primary")) == (True, override, [])
    assert overrides.revision("primary") == before + 2


def test_a_configuration_contended_a_moment_is_applied(platform: Any, contention: Any) -> None:
    """It failed the request (`PUT /v1/config` answered 500)."""
    from klaxon import wiring

    tried = contention(1)

    counts = wiring.container().config_applier.apply(platform.config)

    assert counts and len(tried) == 2


def test_an_override_and_a_configuration_contended_still_are_busy(platform: Any, contention: Any) -> None:
    from klaxon import wiring
    from klaxon.adapters import transactions
    from klaxon.adapters.overrides import DynamoOverrideRepository
    from klaxon.domain.schedule.models import Override

    start = datetime(2031, 1, 1, tzinfo=UTC)
    override = Override(id="busy", schedule="primary", user="alice", start=start, end=start.replace(day=2))

    contention(transactions.ATTEMPTS)
    with pytest.raises(Busy):
        DynamoOverrideRepository().add(override)
    contention(transactions.ATTEMPTS)
    with pytest.raises(Busy):
        wiring.container().config_applier.apply(platform.config)

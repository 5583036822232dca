"""A tick's writes on DynamoDB (issue 14): each page's reservation shares a transaction with the tick's claim
(the first page) or with the result of the page before it, so a tick of n pages is n + 1 transactions, not
2n + 1, and each page is still reserved right before its send. Where the shared write is refused or stays
contended, its two writes are made apart, each refusal read as its own."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import TimelineEntry
from klaxon.domain.paging.escalation import Tick
from klaxon.domain.paging.pages import SEND_LEASE, ToReserve
from klaxon.domain.paging.policy import Channel
from klaxon.services.paging.escalation import EscalationState
from tests.fakes.memory import page_to_alice, sent
from tests.integration.test_ack_paths import open_incident
from tests.integration.test_send_leases import TimedNotifier, records  # noqa: F401 - fixture
from tests.integration.test_transaction_contention import contention  # noqa: F401 - fixture

ROUND = 0


@pytest.fixture
def asked(platform: Any) -> Iterator[list[tuple[str, int]]]:
    """Every DynamoDB request made meanwhile: (operation, items in a transaction, else 0)."""
    from klaxon.adapters.tables import connection

    seen: list[tuple[str, int]] = []
    events = connection().client.meta.events

    def ask(params: dict[str, Any], model: Any, **_: Any) -> None:
        seen.append((model.name, len(params.get("TransactItems", []))))

    events.register("provide-client-params.dynamodb", ask)
    yield seen
    events.unregister("provide-client-params.dynamodb", ask)


def _line(incident_id: str) -> TimelineEntry:
    return TimelineEntry(
        subject=incident_id, at=datetime.now(UTC), kind="notified", actor="system:escalation", message="m"
    )


def _statuses(kept: Any, incident_id: str) -> list[str]:
    return sorted(kept.statuses(incident_id).values())


def _told(incident_id: str) -> list[str]:
    from klaxon import wiring

    timeline = wiring.container().timeline_repository.list(incident_id)
    return [e.message for e in timeline if e.actor == "system:escalation"]


def test_a_tick_of_two_pages_is_three_transactions(platform: Any, asked: list[tuple[str, int]]) -> None:
    """Claim with the push's reservation, the push's result with the SMS's reservation, the SMS's result;
    no status read between a reservation and its send."""
    from klaxon import wiring

    container = wiring.container()
    incident, notifier = open_incident(), TimedNotifier()
    escalation = dataclasses.replace(container.escalation_service, notifier=notifier, sleep=lambda _: None)
    asked.clear()
    escalation.run(EscalationState(incident_id=incident.id))

    assert len(notifier.began) == 2
    claimed = asked.index(("TransactWriteItems", 3))
    assert asked[claimed:] == [
        ("TransactWriteItems", 3),
        ("TransactWriteItems", 4),
        ("TransactWriteItems", 2),
    ]
    assert [n.status.value for n in container.notification_records.list(incident.id)] == ["sent", "sent"]


def test_a_claim_reserves_its_first_page_in_the_same_write(
    records: Any,  # noqa: F811
    asked: list[tuple[str, int]],
) -> None:
    incident = open_incident()
    page, now = page_to_alice(incident), datetime.now(UTC)
    asked.clear()

    assert records.claim(incident.id, ROUND, Tick(), "run-1", ToReserve(page, "run-1", now))
    assert asked == [("TransactWriteItems", 3)]
    assert records.latest_claim(incident.id, ROUND).token == "run-1"
    assert not records.reserve(ROUND, page, "run-2", now)  # the lease holds it for run-1
    assert records.reserve(ROUND, page, "run-1", now)  # run-1's retry takes it over


def test_a_claim_whose_first_page_was_recorded_is_made_alone(records: Any) -> None:  # noqa: F811
    """The tick's retry after its first page was sent: the claim is its own again, the page is not."""
    incident = open_incident()
    page, now = page_to_alice(incident), datetime.now(UTC)
    records.claim(incident.id, ROUND, Tick(), "run-1", ToReserve(page, "run-1", now))
    records.record(ROUND, page, sent(page, now))

    assert not records.claim(incident.id, ROUND, Tick(), "run-1", ToReserve(page, "run-1", now))
    assert records.latest_claim(incident.id, ROUND).token == "run-1"
    assert _statuses(records, incident.id) == ["sent"]


def test_a_claim_of_an_acknowledged_incident_reserves_nothing(http: Any, records: Any) -> None:  # noqa: F811
    incident = open_incident()
    assert http.post(f"/v1/incidents/{incident.id}/acknowledge").status_code == 200
    page = page_to_alice(incident)

    with pytest.raises(Conflict):
        records.claim(incident.id, ROUND, Tick(), "run-1", ToReserve(page, "run-1", datetime.now(UTC)))
    assert records.latest_claim(incident.id, ROUND) is None
    assert _statuses(records, incident.id) == []


def test_another_runs_tick_is_not_claimed_with_a_reservation(records: Any) -> None:  # noqa: F811
    incident = open_incident()
    page, now = page_to_alice(incident), datetime.now(UTC)
    records.claim(incident.id, ROUND, Tick(), "run-1")

    with pytest.raises(Conflict):
        records.claim(incident.id, ROUND, Tick(), "run-2", ToReserve(page, "run-2", now))
    assert _statuses(records, incident.id) == []


def test_a_result_carries_the_next_pages_reservation(
    records: Any,  # noqa: F811
    asked: list[tuple[str, int]],
) -> None:

    incident = open_incident()
    push, sms, now = page_to_alice(incident), page_to_alice(incident, Channel.SMS), datetime.now(UTC)
    assert records.reserve(ROUND, push, "run-1", now)
    asked.clear()

    assert records.record(ROUND, push, sent(push, now), _line(incident.id), ToReserve(sms, "run-1", now))
    assert asked == [("TransactWriteItems", 4)]
    assert records.statuses(incident.id) == {
        f"page#00#00#00#alice#{Channel.PUSH.value}": "sent",
        f"page#00#00#00#alice#{Channel.SMS.value}": "sending",
    }
    assert _told(incident.id) == ["m"]


def test_a_result_is_recorded_when_the_next_page_is_not_ours(records: Any) -> None:  # noqa: F811
    incident = open_incident()
    push, sms, now = page_to_alice(incident), page_to_alice(incident, Channel.SMS), datetime.now(UTC)
    assert records.reserve(ROUND, sms, "run-2", now)  # another run holds the SMS
    assert records.reserve(ROUND, push, "run-1", now)

    assert not records.record(ROUND, push, sent(push, now), _line(incident.id), ToReserve(sms, "run-1", now))
    assert _statuses(records, incident.id) == ["sending", "sent"]
    assert not records.reserve(ROUND, push, "run-1", now)  # recorded: never sent again
    assert _told(incident.id) == ["m"]


def test_a_result_is_recorded_when_the_incident_was_acknowledged(http: Any, records: Any) -> None:  # noqa: F811
    incident = open_incident()
    push, sms, now = page_to_alice(incident), page_to_alice(incident, Channel.SMS), datetime.now(UTC)
    assert records.reserve(ROUND, push, "run-1", now - 2 * SEND_LEASE)  # out of flight: the ack needn't wait
    assert http.post(f"/v1/incidents/{incident.id}/acknowledge").status_code == 200

    assert not records.record(ROUND, push, sent(push, now), None, ToReserve(sms, "run-1", now))
    assert _statuses(records, incident.id) == ["sent"]


def test_a_result_and_reservation_contended_still_are_written_apart(
    records: Any,  # noqa: F811
    contention: Any,  # noqa: F811
) -> None:
    from klaxon.adapters import transactions

    incident = open_incident()
    push, sms, now = page_to_alice(incident), page_to_alice(incident, Channel.SMS), datetime.now(UTC)
    assert records.reserve(ROUND, push, "run-1", now)
    tried = contention(transactions.ATTEMPTS)

    assert records.record(ROUND, push, sent(push, now), _line(incident.id), ToReserve(sms, "run-1", now))
    assert len(tried) == transactions.ATTEMPTS + 2  # the shared write, then the result, then the reservation
    assert _statuses(records, incident.id) == ["sending", "sent"]
    assert _told(incident.id) == ["m"]


def test_a_claim_and_reservation_contended_still_are_written_apart(
    records: Any,  # noqa: F811
    contention: Any,  # noqa: F811
) -> None:
    from klaxon.adapters import transactions

    incident = open_incident()
    page, now = page_to_alice(incident), datetime.now(UTC)
    tried = contention(transactions.ATTEMPTS)

    assert records.claim(incident.id, ROUND, Tick(), "run-1", ToReserve(page, "run-1", now))
    assert len(tried) == transactions.ATTEMPTS + 2  # the shared write, then the claim, then the reservation
    assert records.latest_claim(incident.id, ROUND).token == "run-1"
    assert _statuses(records, incident.id) == ["sending"]

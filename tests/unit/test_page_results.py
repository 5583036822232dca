"""What the timeline says of a page's result (klaxon.domain.paging.pages.result_line)."""

from __future__ import annotations

from datetime import UTC, datetime

from klaxon.domain.incident.models import Incident
from klaxon.domain.paging.pages import DeliveryStatus, result_line
from tests.fakes.memory import page_to_alice, sent

AT = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def _incident() -> Incident:
    return Incident.model_validate(
        {
            "id": "inc1",
            "number": 7,
            "title": "Disk full",
            "service": "checkout",
            "priority": "P1",
            "urgency": "high",
            "status": "triggered",
            "dedup_key": "k",
            "created_at": AT,
            "updated_at": AT,
        }
    )


def test_a_sent_page_is_notified_a_failed_one_says_why_a_skipped_one_says_nothing() -> None:
    page = page_to_alice(_incident())
    delivered = sent(page, AT)
    failed = delivered.model_copy(update={"status": DeliveryStatus.FAILED, "error": "carrier refused"})
    skipped = delivered.model_copy(update={"status": DeliveryStatus.SKIPPED})

    assert result_line(page, delivered) == ("notified", "Paged Alice by push (alice-phone)")
    assert result_line(page, failed) == (
        "notification failed",
        "Could not page Alice by push: carrier refused",
    )
    assert result_line(page, skipped) is None

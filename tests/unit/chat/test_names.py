"""Room names: Slack's channel name rules, the issue's format, a suffix on a collision."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.chat.names import MAX_NAME, room_name, slug

SLACK_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def test_the_issue_example():
    assert room_name(42, "Checkout down", date(2026, 9, 25)) == "inc-2026-09-25-42-checkout-down"


def test_a_collision_adds_a_numeric_suffix():
    assert room_name(42, "Checkout down", date(2026, 9, 25), attempt=1) == "inc-2026-09-25-42-checkout-down-2"
    assert (
        room_name(42, "Checkout down", date(2026, 9, 25), attempt=9) == "inc-2026-09-25-42-checkout-down-10"
    )


def test_punctuation_accents_and_case_fold_into_single_hyphens():
    assert slug("[FIRING:1] HighErrorRate: 5xx rate above 5%") == "firing-1-higherrorrate-5xx-rate-above-5"
    assert slug("Café  Déjà-vu!!") == "cafe-deja-vu"
    assert room_name(7, "🔥🔥", date(2026, 1, 2)) == "inc-2026-01-02-7"


def test_a_long_title_is_cut_at_a_word_within_80_characters():
    title = "Database connection pool exhausted in every region of the world at once, again and again"
    name = room_name(123456, title, date(2026, 9, 25), attempt=3)
    assert len(name) <= MAX_NAME
    assert name == "inc-2026-09-25-123456-database-connection-pool-exhausted-in-every-region-of-4"


@given(
    number=st.integers(min_value=1, max_value=10**9),
    title=st.text(max_size=300),
    opened=st.dates(min_value=date(2000, 1, 1), max_value=date(2999, 12, 31)),
    attempt=st.integers(min_value=0, max_value=999),
)
def test_every_name_is_one_slack_accepts(number, title, opened, attempt):
    name = room_name(number, title, opened, attempt)
    assert len(name) <= MAX_NAME
    assert SLACK_NAME.match(name), name
    assert name.startswith(f"inc-{opened.isoformat()}-{number}")
    assert "--" not in name
    if attempt:
        assert name.endswith(f"-{attempt + 1}")

"""Timestamps as senders write them: ISO 8601, epoch seconds, epoch milliseconds above 10^11."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from klaxon.domain.instants import Instant, parse_instant

AT = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
SECONDS = int(AT.timestamp())


class Body(BaseModel):
    at: Instant


@pytest.mark.parametrize(
    "value",
    [SECONDS, float(SECONDS), str(SECONDS), SECONDS * 1000, str(SECONDS * 1000), "2026-12-03T00:00:00Z"],
)
def test_every_form_names_the_same_instant(value):
    assert parse_instant(value) == AT
    assert Body(at=value).at == AT


def test_ten_to_the_eleven_is_the_line_between_seconds_and_milliseconds():
    assert parse_instant(10**11).year == 5138
    assert parse_instant(10**11 + 1).year == 1973


@pytest.mark.parametrize("value", [True, "soon", 1e300, float("nan"), "inf", [1]])
def test_anything_else_is_a_clear_error_never_a_crash(value):
    with pytest.raises(ValueError, match=r"timestamp|epoch"):
        parse_instant(value)
    with pytest.raises(ValidationError):
        Body(at=value)

"""Public update texts: placeholders, their defaults, and the small formatting rules they rely on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from klaxon.domain.statuspage.templates import (
    DEFAULT_TEMPLATES,
    fill,
    format_duration,
    format_span,
    format_utc,
    join_names,
    placeholders_in,
    unknown_placeholders,
)


def test_fill_replaces_each_placeholder_with_its_value():
    assert (
        fill("Problems with {affected_service}.", {"affected_service": "Checkout"})
        == "Problems with Checkout."
    )


def test_fill_uses_the_default_of_a_placeholder_given_no_value():
    assert fill("Next update in {next_update}.", {}) == "Next update in 30 minutes."


def test_fill_leaves_an_unknown_placeholder_as_written():
    assert fill("Hello {nobody}", {}) == "Hello {nobody}"


def test_doubled_braces_are_literal_braces():
    assert fill("{{affected_service}} is {affected_service}", {"affected_service": "API"}) == (
        "{affected_service} is API"
    )


def test_a_misspelt_placeholder_is_reported():
    assert unknown_placeholders("Problems with {afected_service} {duration}") == ["afected_service"]


@pytest.mark.parametrize("kind", list(DEFAULT_TEMPLATES))
def test_every_default_template_uses_known_placeholders_only(kind):
    template = DEFAULT_TEMPLATES[kind]
    assert placeholders_in(template)
    assert unknown_placeholders(template) == []


@pytest.mark.parametrize(
    ("names", "joined"),
    [([], ""), (["API"], "API"), (["API", "Search"], "API and Search"), (["A", "B", "C"], "A, B and C")],
)
def test_names_are_joined_as_a_sentence_would(names, joined):
    assert join_names(names) == joined


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "under a minute"),
        (5, "under a minute"),
        (59, "under a minute"),
        (60, "1 min"),
        (45 * 60, "45 min"),
        (3600, "1 h"),
        (85 * 60, "1 h 25 min"),
        (51 * 3600, "2 d 3 h"),
        (86400, "1 d"),
    ],
)
def test_durations_read_in_whole_minutes_hours_and_days(seconds, text):
    assert format_duration(seconds) == text


def test_times_are_written_in_utc_whatever_their_zone():
    from zoneinfo import ZoneInfo

    at = datetime(2026, 11, 27, 9, 5, tzinfo=ZoneInfo("America/New_York"))
    assert format_utc(at) == "27 Nov 2026, 14:05 UTC"


def test_single_digit_days_have_no_leading_zero():
    assert format_utc(datetime(2026, 3, 1, 8, 0, tzinfo=UTC)) == "1 Mar 2026, 08:00 UTC"


def test_a_span_within_one_minute_is_written_with_seconds_so_its_ends_differ():
    start = datetime(2026, 11, 27, 10, 19, 5, tzinfo=UTC)
    assert format_span(start, start + timedelta(seconds=40)) == (
        "27 Nov 2026, 10:19:05 UTC",
        "27 Nov 2026, 10:19:45 UTC",
    )


def test_a_span_whose_ends_differ_to_the_minute_keeps_minutes_and_the_date():
    start = datetime(2026, 11, 27, 23, 59, 30, tzinfo=UTC)
    assert format_span(start, start + timedelta(minutes=2)) == (
        "27 Nov 2026, 23:59 UTC",
        "28 Nov 2026, 00:01 UTC",
    )

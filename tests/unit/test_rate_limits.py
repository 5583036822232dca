"""Rate limits: the fixed-window arithmetic (properties), and the limiter over an in-memory counter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.access.rate_limits import Limits, Subject, check, retry_after, window_of
from klaxon.domain.errors import TooManyRequests
from klaxon.services.access.rate_limits import RateLimiter
from tests.fakes.memory import FixedClock, MemoryRateCounter

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
windows = st.integers(min_value=1, max_value=3600).map(lambda s: timedelta(seconds=s))


@given(instants, windows)
def test_the_window_holds_the_instant_and_has_the_window_s_length(now: datetime, window: timedelta) -> None:
    start, end = window_of(now, window)
    assert start <= now < end
    assert end - start == window


@given(instants, windows, st.floats(min_value=0, max_value=1, exclude_max=True))
def test_every_instant_of_a_window_falls_in_the_same_window(
    now: datetime, window: timedelta, fraction: float
) -> None:
    start, end = window_of(now, window)
    later = start + timedelta(seconds=int(window.total_seconds() * fraction))
    assert window_of(later, window) == (start, end)


@given(instants, windows)
def test_retry_after_is_whole_seconds_reaching_the_next_window(now: datetime, window: timedelta) -> None:
    wait = retry_after(now, window)
    _, end = window_of(now, window)
    assert 1 <= wait <= window.total_seconds()
    assert now + timedelta(seconds=wait) >= end  # a client that waits as told is in a new window


@given(st.integers(min_value=1, max_value=10_000), st.integers(min_value=1, max_value=20_000), instants)
def test_a_request_is_refused_exactly_when_its_count_passes_the_limit(
    limit: int, count: int, now: datetime
) -> None:
    if count <= limit:
        check(Subject.TOKEN, "ci", count, limit, now)
    else:
        with pytest.raises(TooManyRequests) as refused:
            check(Subject.TOKEN, "ci", count, limit, now)
        assert refused.value.retry_after == retry_after(now)
        assert f"more than {limit} requests in a minute" in refused.value.message


def test_the_defaults_are_pagerduty_s_own_limits() -> None:
    assert Limits() == Limits(token=960, integration=120, heartbeat=60)


@given(st.floats(min_value=0.0001, max_value=10_000))
def test_a_scale_multiplies_every_limit_and_never_goes_below_one(factor: float) -> None:
    scaled = Limits().scaled(factor)
    for subject in Subject:
        assert scaled.of(subject) == max(1, int(Limits().of(subject) * factor))


START = datetime(2026, 11, 27, 12, 0, 10, tzinfo=UTC)


def limiter(limits: Limits = Limits(token=3, integration=2, heartbeat=1)) -> RateLimiter:
    return RateLimiter(counter=MemoryRateCounter(), clock=FixedClock(START), limits=lambda: limits)


def test_a_subject_is_let_through_up_to_its_limit_then_told_when_to_come_back() -> None:
    limits = limiter()
    for _ in range(3):
        limits.admit(Subject.TOKEN, "t1", "ci")

    with pytest.raises(TooManyRequests) as refused:
        limits.admit(Subject.TOKEN, "t1", "ci")

    assert refused.value.retry_after == 50  # 12:00:10 -> the window ends at 12:01:00
    assert refused.value.message == "token ci sent more than 3 requests in a minute"


def test_each_subject_has_its_own_budget() -> None:
    limits = limiter()
    limits.admit(Subject.INTEGRATION, "checkout")
    limits.admit(Subject.INTEGRATION, "checkout")
    with pytest.raises(TooManyRequests):
        limits.admit(Subject.INTEGRATION, "checkout")

    limits.admit(Subject.INTEGRATION, "payments")
    limits.admit(Subject.TOKEN, "checkout")  # the same id of another kind is another subject
    limits.admit(Subject.HEARTBEAT, "checkout")

    counter = limits.counter
    assert isinstance(counter, MemoryRateCounter)
    window, _ = window_of(START)
    assert counter.counts == {
        ("integration:checkout", window): 3,
        ("integration:payments", window): 1,
        ("token:checkout", window): 1,
        ("heartbeat:checkout", window): 1,
    }


def test_the_budget_comes_back_when_the_window_ends() -> None:
    limits = limiter()
    limits.admit(Subject.HEARTBEAT, "nightly")
    with pytest.raises(TooManyRequests) as refused:
        limits.admit(Subject.HEARTBEAT, "nightly")

    limits.clock.advance(seconds=refused.value.retry_after)  # type: ignore[attr-defined]

    limits.admit(Subject.HEARTBEAT, "nightly")
    with pytest.raises(TooManyRequests):
        limits.admit(Subject.HEARTBEAT, "nightly")  # the new window's budget, spent in turn


def test_once_refused_a_subject_costs_no_more_writes_until_its_window_ends() -> None:
    limits = limiter()
    counter = limits.counter
    assert isinstance(counter, MemoryRateCounter)
    for _ in range(2):
        limits.admit(Subject.INTEGRATION, "flood")
    for _ in range(1000):
        with pytest.raises(TooManyRequests):
            limits.admit(Subject.INTEGRATION, "flood")

    assert counter.writes == 3  # two admitted, and the one that found the limit passed


def test_a_counter_that_cannot_count_lets_requests_through() -> None:
    limits = limiter()
    counter = limits.counter
    assert isinstance(counter, MemoryRateCounter)
    counter.failing = True

    admitted = 0
    for _ in range(10):
        limits.admit(Subject.HEARTBEAT, "nightly")  # the limit is 1
        admitted += 1

    assert admitted == 10
    assert counter.counts == {}


def test_limits_are_read_at_each_request_so_a_new_configuration_applies_at_once() -> None:
    current = [Limits(token=1)]
    limits = RateLimiter(counter=MemoryRateCounter(), clock=FixedClock(START), limits=lambda: current[0])
    limits.admit(Subject.TOKEN, "t1")
    with pytest.raises(TooManyRequests):
        limits.admit(Subject.TOKEN, "t1")

    current[0] = Limits(token=5)
    limits.clock.advance(minutes=1)  # type: ignore[attr-defined]
    for _ in range(5):
        limits.admit(Subject.TOKEN, "t1")
    with pytest.raises(TooManyRequests) as refused:
        limits.admit(Subject.TOKEN, "t1")
    assert "more than 5 requests" in refused.value.message

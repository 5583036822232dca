"""Overrides in DynamoDB (moto): each add and remove bumps the schedule's revision in the same transaction,
which caches of what the overrides imply read instead of the overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from klaxon.domain.errors import NotFound
from klaxon.domain.schedule.models import Override

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def override(n: int, schedule: str = "primary", hours: int = 6) -> Override:
    start = START + timedelta(days=n)
    return Override(
        id=f"o{n}", schedule=schedule, user="dave", start=start, end=start + timedelta(hours=hours)
    )


@pytest.fixture
def store(platform):
    from klaxon.adapters.overrides import DynamoOverrideRepository

    return DynamoOverrideRepository()


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def elsewhere(platform, ticks):
    """The same table as seen from another process, whose monotonic clock is `ticks`."""
    from klaxon.adapters.overrides import DynamoOverrideRepository

    return DynamoOverrideRepository(monotonic=ticks)


def test_every_add_and_remove_bumps_the_schedules_revision_and_only_its_own(store):
    assert store.revision("primary") == 0
    store.add(override(1))
    store.add(override(2))
    assert store.revision("primary") == 2
    store.remove("primary", "o1")
    assert (store.revision("primary"), store.revision("secondary")) == (3, 0)


def test_the_revision_is_never_listed_as_an_override(store):
    store.add(override(1))
    everything = store.list("primary")
    bounded = store.list("primary", START, START + timedelta(days=30))
    assert [o.id for o in everything] == [o.id for o in bounded] == ["o1"]


def test_removing_an_override_twice_is_not_found_and_bumps_nothing(store):
    store.add(override(1))
    store.remove("primary", "o1")
    with pytest.raises(NotFound):
        store.remove("primary", "o1")
    assert store.revision("primary") == 2


def test_another_process_sees_a_change_once_its_read_of_the_revision_is_a_second_old(store, elsewhere, ticks):
    assert elsewhere.revision("primary") == 0
    store.add(override(1))
    ticks.now += elsewhere.revision_seconds / 2
    assert elsewhere.revision("primary") == 0  # its read is still trusted
    ticks.now += elsewhere.revision_seconds / 2
    assert elsewhere.revision("primary") == 1


def test_a_process_sees_its_own_change_at_once(elsewhere):
    assert elsewhere.revision("primary") == 0
    elsewhere.add(override(1))
    assert elsewhere.revision("primary") == 1
    elsewhere.remove("primary", "o1")
    assert elsewhere.revision("primary") == 2

"""Public status incidents in DynamoDB (moto): created once, replaced only at the version read."""

from __future__ import annotations

import pytest

from klaxon.domain.errors import Conflict
from klaxon.domain.statuspage.models import PublicStatus
from tests.unit.statuspage.factories import incident


@pytest.fixture
def store(platform):
    from klaxon.adapters.statuspage_store import DynamoStatusIncidents

    return DynamoStatusIncidents()


def test_a_created_incident_reads_back_at_version_1(store):
    store.create(incident(1))
    assert store.get("i0001") == (incident(1), 1)


def test_creating_it_twice_is_a_conflict(store):
    store.create(incident(1))
    with pytest.raises(Conflict, match="already on the status page"):
        store.create(incident(1))


def test_a_replace_at_the_version_read_bumps_the_version(store):
    store.create(incident(1))
    store.replace(incident(1).model_copy(update={"status": PublicStatus.IDENTIFIED}), 1)
    public, version = store.get("i0001")
    assert (public.status, version) == (PublicStatus.IDENTIFIED, 2)


def test_a_replace_at_a_stale_version_is_a_conflict(store):
    store.create(incident(1))
    store.replace(incident(1), 1)
    with pytest.raises(Conflict, match="changed meanwhile"):
        store.replace(incident(1), 1)


def test_an_incident_never_shown_reads_as_none(store):
    assert store.get("nope") is None


def test_all_returns_every_public_incident(store):
    for n in (1, 2, 3):
        store.create(incident(n))
    assert sorted(i.id for i in store.all()) == ["p0001", "p0002", "p0003"]

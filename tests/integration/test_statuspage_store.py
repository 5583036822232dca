"""Public status incidents and the render mark in DynamoDB (moto): replaced only at the version read."""

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


def test_the_render_mark_is_replaced_only_at_the_version_read(platform):
    from datetime import UTC, datetime, timedelta

    from klaxon.adapters.statuspage_store import DynamoRenderMarks
    from klaxon.domain.statuspage.render_gate import RenderMark

    marks = DynamoRenderMarks()
    _, version = marks.read()  # the platform's own publishes may have left one
    at = datetime(2026, 12, 5, 12, tzinfo=UTC)
    leased = RenderMark("d1", at, lease_until=at + timedelta(seconds=60), owner="p1")
    assert marks.replace(version, leased) == version + 1
    assert marks.read() == (leased, version + 1)
    assert marks.replace(version, RenderMark("d2", at)) is None  # a publisher that read it before
    assert marks.replace(version + 1, RenderMark("d2", at)) == version + 2
    assert marks.read() == (RenderMark("d2", at), version + 2)

"""Acknowledging by SMS reply and by signed link, over in-memory fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from klaxon.config.schema import User
from klaxon.domain.incident.models import Incident, IncidentStatus, Priority, TimelineEntry, Urgency
from klaxon.domain.paging.ackcodes import AckLinkExpired, AckLinkInvalid
from klaxon.domain.paging.pages import DeliveryStatus, Notification
from klaxon.domain.paging.policy import Channel
from klaxon.events import DetailType, IncidentEvent
from klaxon.services.incident.incidents import IncidentService
from klaxon.services.paging.acks import AckService, SmsResult, phone_book
from tests.fakes.memory import FixedClock, MemoryIncidents, MemoryTimeline, StaticKeyring

ALICE = "+15550101001"
BOB = "+15550101002"


def user(user_id: str, *phones: str) -> User:
    methods = [{"type": "sms", "address": phone} for phone in phones] or [
        {"type": "email", "address": f"{user_id}@acme.example"}
    ]
    return User.model_validate(
        {
            "id": user_id,
            "name": user_id.title(),
            "email": f"{user_id}@acme.example",
            "time_zone": "UTC",
            "contact_methods": methods,
        }
    )


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def incidents():
    return MemoryIncidents(MemoryTimeline())


@pytest.fixture
def sent() -> dict[str, list[Notification]]:
    """The pages sent, by incident id (what the notification records hold)."""
    return {}


@pytest.fixture
def acks(incidents, clock, sent):
    service = IncidentService(incidents=incidents, timeline=incidents.timeline, clock=clock)
    return AckService(
        incidents=service,
        phones=lambda: {ALICE: "alice", BOB: "bob"},
        keys=StaticKeyring.of(b"k" * 32, clock),
        clock=clock,
        pages=lambda incident_id: sent.get(incident_id, []),
        responders=lambda incident: frozenset({"alice"}),  # alice is on every incident's policy
        public_url="https://klaxon.example/prod/",
    )


def page(incident: Incident, user: str, to: str, at) -> Notification:
    return Notification(
        incident_id=incident.id,
        step=0,
        loop=0,
        user=user,
        channel=Channel.SMS,
        to=to,
        sent_at=at,
        status=DeliveryStatus.SENT,
    )


def opened(incidents: MemoryIncidents, clock: FixedClock, number: int | None = None) -> Incident:
    number = number or incidents.next_number()
    clock.advance(seconds=1)
    incident = Incident(
        id=f"inc{number}",
        number=number,
        title="Checkout is down",
        service="checkout",
        priority=Priority.P1,
        urgency=Urgency.HIGH,
        status=IncidentStatus.TRIGGERED,
        dedup_key=f"k{number}",
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    entry = TimelineEntry(subject=incident.id, at=clock.now(), kind="triggered", actor="test", message="x")
    incidents.create(
        incident, entry=entry, event=IncidentEvent(DetailType.INCIDENT_TRIGGERED, "test", "opened")
    )
    return incident


def test_ack_reply_from_a_known_phone_acknowledges_as_its_user(acks, incidents, clock):
    incident = opened(incidents, clock)
    outcome = acks.handle_sms(ALICE, f"ack {incident.number}")
    assert outcome.result is SmsResult.ACKNOWLEDGED
    assert incidents.get(incident.id).acknowledged_by == "user:alice"


def test_res_reply_resolves(acks, incidents, clock):
    incident = opened(incidents, clock)
    assert acks.handle_sms(ALICE, f"res {incident.number}").result is SmsResult.RESOLVED
    assert incidents.get(incident.id).status is IncidentStatus.RESOLVED


def test_ack_reply_for_an_acknowledged_incident_changes_nothing(acks, incidents, clock):
    incident = opened(incidents, clock)
    acks.handle_sms(ALICE, str(incident.number))
    assert acks.handle_sms(ALICE, str(incident.number)).result is SmsResult.UNCHANGED


def test_reply_from_an_unknown_number_is_refused_and_changes_nothing(acks, incidents, clock):
    incident = opened(incidents, clock)
    assert acks.handle_sms("+15559999999", f"ack {incident.number}").result is SmsResult.REFUSED
    assert incidents.get(incident.id).status is IncidentStatus.TRIGGERED


def test_reply_that_is_no_command_is_ignored(acks, incidents, clock):
    incident = opened(incidents, clock)
    outcome = acks.handle_sms(ALICE, "on my way")
    assert (outcome.result, outcome.user) == (SmsResult.IGNORED, "alice")
    assert incidents.get(incident.id).status is IncidentStatus.TRIGGERED


def test_reply_for_a_resolved_incident_finds_nothing_open(acks, incidents, clock):
    incident = opened(incidents, clock)
    acks.handle_sms(ALICE, f"res {incident.number}")
    assert acks.handle_sms(ALICE, f"ack {incident.number}").result is SmsResult.NOT_OPEN


def test_the_open_incident_is_found_beyond_the_first_page_of_the_index(acks, incidents, clock):
    oldest = opened(incidents, clock)
    for _ in range(130):
        opened(incidents, clock)
    assert acks.find_open(oldest.number) == oldest


def test_a_number_two_users_share_identifies_nobody():
    book = phone_book([user("alice", ALICE), user("bob", "+15550101002", ALICE), user("carol")])
    assert book == {"+15550101002": "bob"}


def test_a_link_is_absolute_under_the_public_url(acks):
    assert acks.link_for("inc1", "alice").startswith("https://klaxon.example/prod/a/")


def test_a_link_acknowledges_as_its_user(acks, incidents, clock):
    incident = opened(incidents, clock)
    token = acks.link_for(incident.id, "alice").rpartition("/")[2]
    outcome = acks.acknowledge_by_link(token)
    assert outcome.changed
    assert outcome.incident.acknowledged_by == "user:alice"


def test_a_link_used_twice_changes_nothing_the_second_time(acks, incidents, clock):
    incident = opened(incidents, clock)
    token = acks.link_for(incident.id, "alice").rpartition("/")[2]
    acks.acknowledge_by_link(token)
    assert not acks.acknowledge_by_link(token).changed


def test_a_link_does_not_acknowledge_a_resolved_incident(acks, incidents, clock):
    incident = opened(incidents, clock)
    token = acks.link_for(incident.id, "alice").rpartition("/")[2]
    acks.handle_sms(ALICE, f"res {incident.number}")
    outcome = acks.acknowledge_by_link(token)
    assert (outcome.changed, outcome.incident.status) == (False, IncidentStatus.RESOLVED)


def test_a_link_expires_after_a_day(acks, incidents, clock):
    incident = opened(incidents, clock)
    token = acks.link_for(incident.id, "alice").rpartition("/")[2]
    clock.advance(hours=24)
    with pytest.raises(AckLinkExpired):
        acks.open_link(token)


def test_a_link_to_an_unknown_incident_is_invalid(acks):
    token = acks.link_for("nope", "alice").rpartition("/")[2]
    with pytest.raises(AckLinkInvalid):
        acks.open_link(token)


def test_a_link_is_valid_just_before_it_expires(acks, incidents, clock):
    incident = opened(incidents, clock)
    token = acks.link_for(incident.id, "alice").rpartition("/")[2]
    clock.advance(hours=24, seconds=-1)
    assert acks.open_link(token)[1] == incident


def test_without_a_public_url_a_link_is_a_path(acks):
    acks.public_url = None
    assert acks.link_for("inc1", "alice").startswith("/a/")


def test_link_lifetime_can_be_shortened(acks, incidents, clock):
    acks.link_ttl = timedelta(minutes=5)
    incident = opened(incidents, clock)
    token = acks.link_for(incident.id, "alice").rpartition("/")[2]
    clock.advance(minutes=5)
    with pytest.raises(AckLinkExpired):
        acks.open_link(token)


def test_a_phone_neither_paged_nor_on_the_policy_cannot_act_and_is_told_so(acks, incidents, clock):
    incident = opened(incidents, clock)
    outcome = acks.handle_sms(BOB, f"res {incident.number}")
    assert (outcome.result, outcome.user) == (SmsResult.NOT_PAGED, "bob")
    assert (
        outcome.reply
        == f"Klaxon: this number was not paged for incident {incident.number}, so nothing changed."
    )
    assert incidents.get(incident.id).status is IncidentStatus.TRIGGERED


def test_a_phone_paged_for_the_incident_may_act_on_it(acks, incidents, clock, sent):
    incident = opened(incidents, clock)
    sent[incident.id] = [page(incident, "bob", BOB, clock.now())]
    assert acks.handle_sms(BOB, f"res {incident.number}").result is SmsResult.RESOLVED


def test_a_verb_alone_acts_on_the_last_page_sent_to_that_phone(acks, incidents, clock, sent):
    first, second = opened(incidents, clock), opened(incidents, clock)
    sent[first.id] = [page(first, "bob", BOB, clock.now())]
    sent[second.id] = [page(second, "bob", BOB, clock.now() + timedelta(minutes=1))]
    outcome = acks.handle_sms(BOB, "ack")
    assert (outcome.result, outcome.incident.id) == (SmsResult.ACKNOWLEDGED, second.id)
    assert incidents.get(first.id).status is IncidentStatus.TRIGGERED


def test_a_verb_alone_from_a_phone_never_paged_changes_nothing(acks, incidents, clock):
    opened(incidents, clock)
    outcome = acks.handle_sms(ALICE, "res")
    assert outcome.result is SmsResult.NOT_PAGED
    assert outcome.reply == "Klaxon: this number was not paged for any open incident, so nothing changed."

"""Status page subscribers: signed links, webhook signatures, the delivery plan, and the fan-out that sends
each public update to each confirmed subscriber once."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from klaxon.config.loader import load_config
from klaxon.domain.errors import Conflict, InvalidInput, NotFound
from klaxon.domain.paging.ackcodes import AckLink, make_ack_token
from klaxon.domain.paging.messages import EmailContent
from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.domain.schedule.feeds import feed_token
from klaxon.domain.statuspage.models import PublicStatus
from klaxon.domain.statuspage.subscribers import (
    CONFIRM_LINK_TTL,
    SIGNATURE_HEADER,
    Delivery,
    DeliveryState,
    LinkPurpose,
    Subscriber,
    SubscriberKind,
    SubscriberLinkExpired,
    SubscriberLinkInvalid,
    SubscriberState,
    check_webhook_url,
    delivery_plan,
    email_subscriber_id,
    incident_as_of,
    make_link_token,
    normalise_email,
    read_link_token,
    unsubscribe_headers,
    update_email,
    verify_webhook_signature,
    webhook_secret,
    webhook_signature,
)
from klaxon.events import DetailType, IncidentSnapshot
from klaxon.services.statuspage.public_incidents import StatusPageService
from klaxon.services.statuspage.subscribers import SubscriberService, announcer
from tests.conftest import DEMO_CONFIG
from tests.fakes.memory import CountingIds, FixedClock, RecordingBus, StaticKeyring
from tests.fakes.statuspage import MemoryStatusIncidents
from tests.unit.statuspage.factories import NAMES, NOW, incident

SECRET = b"k" * 32
WEBHOOK_MASTER = b"w" * 40
DEMO = load_config(DEMO_CONFIG).statuspage
EMAIL_OFF = DEMO.model_copy(update={"subscribers": DEMO.subscribers.model_copy(update={"email": False})})


def subscriber(
    n: int = 1,
    *,
    state: SubscriberState = SubscriberState.ACTIVE,
    confirmed: timedelta | None = timedelta(days=1),
    kind: SubscriberKind = SubscriberKind.EMAIL,
) -> Subscriber:
    """A subscriber created two days before NOW, confirmed `confirmed` before NOW."""
    return Subscriber(
        id=f"s{n}",
        kind=kind,
        address=f"reader{n}@example.com" if kind is SubscriberKind.EMAIL else f"https://hooks.example/{n}",
        state=state,
        created_at=NOW - timedelta(days=2),
        confirmed_at=None if confirmed is None else NOW - confirmed,
    )


# --- signed links --------------------------------------------------------------------------------


def test_a_confirm_token_names_its_subscriber():
    token = make_link_token(SECRET, LinkPurpose.CONFIRM, "s1", NOW + CONFIRM_LINK_TTL)
    assert read_link_token(SECRET, token, LinkPurpose.CONFIRM, NOW) == "s1"


def test_a_confirm_token_expires():
    token = make_link_token(SECRET, LinkPurpose.CONFIRM, "s1", NOW + CONFIRM_LINK_TTL)
    with pytest.raises(SubscriberLinkExpired):
        read_link_token(SECRET, token, LinkPurpose.CONFIRM, NOW + CONFIRM_LINK_TTL)


def test_an_unsubscribe_token_never_expires():
    token = make_link_token(SECRET, LinkPurpose.UNSUBSCRIBE, "s1")
    assert read_link_token(SECRET, token, LinkPurpose.UNSUBSCRIBE, NOW + timedelta(days=3650)) == "s1"


def test_a_confirm_token_does_not_unsubscribe():
    token = make_link_token(SECRET, LinkPurpose.CONFIRM, "s1", NOW + CONFIRM_LINK_TTL)
    with pytest.raises(SubscriberLinkInvalid):
        read_link_token(SECRET, token, LinkPurpose.UNSUBSCRIBE, NOW)


def test_a_token_with_another_subscriber_put_in_is_refused():
    mac = make_link_token(SECRET, LinkPurpose.UNSUBSCRIBE, "s1").partition(".")[2]
    forged = make_link_token(b"other", LinkPurpose.UNSUBSCRIBE, "s2").partition(".")[0] + "." + mac
    with pytest.raises(SubscriberLinkInvalid):
        read_link_token(SECRET, forged, LinkPurpose.UNSUBSCRIBE, NOW)


def test_a_token_signed_by_another_deployment_is_refused():
    token = make_link_token(b"another secret", LinkPurpose.UNSUBSCRIBE, "s1")
    with pytest.raises(SubscriberLinkInvalid):
        read_link_token(SECRET, token, LinkPurpose.UNSUBSCRIBE, NOW)


@pytest.mark.parametrize("token", ["", "nope", "a.b.c", "!!!.???"])
def test_garbage_is_not_a_token(token):
    with pytest.raises(SubscriberLinkInvalid):
        read_link_token(SECRET, token, LinkPurpose.UNSUBSCRIBE, NOW)


def test_an_acknowledge_link_signed_with_the_same_secret_is_not_a_subscriber_link():
    ack = make_ack_token(
        SECRET, AckLink(incident_id="unsubscribe", user="s1", expires_at=NOW + CONFIRM_LINK_TTL)
    )
    with pytest.raises(SubscriberLinkInvalid):
        read_link_token(SECRET, ack, LinkPurpose.UNSUBSCRIBE, NOW)


def test_a_feed_token_signed_with_the_same_secret_is_not_a_subscriber_link():
    with pytest.raises(SubscriberLinkInvalid):
        read_link_token(SECRET, feed_token(SECRET, "unsubscribe|s1", 0), LinkPurpose.UNSUBSCRIBE, NOW)


# --- webhook signatures --------------------------------------------------------------------------


def test_the_signature_is_an_hmac_sha256_of_the_timestamp_a_dot_and_the_body():
    expected = hmac.new(b"whsec_x", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert webhook_signature("whsec_x", b"{}", 1_700_000_000) == f"t=1700000000,v1={expected}"


def test_a_receiver_accepts_a_fresh_signature():
    header = webhook_signature("whsec_x", b"{}", int(NOW.timestamp()))
    assert verify_webhook_signature("whsec_x", b"{}", header, NOW)


def test_a_receiver_refuses_an_altered_body():
    header = webhook_signature("whsec_x", b"{}", int(NOW.timestamp()))
    assert not verify_webhook_signature("whsec_x", b"{ }", header, NOW)


def test_a_receiver_refuses_another_secret():
    header = webhook_signature("whsec_x", b"{}", int(NOW.timestamp()))
    assert not verify_webhook_signature("whsec_y", b"{}", header, NOW)


def test_a_receiver_refuses_a_replayed_old_delivery():
    header = webhook_signature("whsec_x", b"{}", int(NOW.timestamp()))
    assert not verify_webhook_signature("whsec_x", b"{}", header, NOW + timedelta(minutes=6))


# --- addresses -----------------------------------------------------------------------------------


def test_an_email_address_keeps_its_local_part_and_lowers_its_domain():
    assert normalise_email("  Ada.L@Example.COM ") == "Ada.L@example.com"


@pytest.mark.parametrize("address", ["nobody", "a@b", "a b@example.com", "a@-x.example", "é@example.com"])
def test_what_is_not_an_email_address_is_refused(address):
    with pytest.raises(InvalidInput):
        normalise_email(address)


def test_an_address_is_one_subscriber_whatever_its_case():
    assert email_subscriber_id("Ada@Example.com") == email_subscriber_id("ada@example.com")


def test_a_webhook_url_must_be_https():
    with pytest.raises(InvalidInput, match="webhook URL"):
        check_webhook_url("http://hooks.example/x")


def test_http_to_the_loopback_address_is_allowed_only_when_asked():
    assert check_webhook_url("http://127.0.0.1:9000/x", allow_loopback_http=True) == "http://127.0.0.1:9000/x"


def test_a_webhook_url_with_credentials_is_refused():
    with pytest.raises(InvalidInput):
        check_webhook_url("https://user:pass@hooks.example/x")


def test_a_webhook_url_loses_its_fragment():
    assert check_webhook_url("https://hooks.example/x?a=1#top") == "https://hooks.example/x?a=1"


# --- the delivery plan ---------------------------------------------------------------------------


def test_each_update_is_planned_for_each_active_subscriber():
    resolved = incident(resolved_after=timedelta(minutes=30))
    plan = delivery_plan(resolved.updates, [subscriber(1), subscriber(2)], {})
    assert [(u.id, s.id) for u, s in plan] == [
        ("u0001a", "s1"),
        ("u0001a", "s2"),
        ("u0001z", "s1"),
        ("u0001z", "s2"),
    ]


@pytest.mark.parametrize(
    "who",
    [
        subscriber(state=SubscriberState.PENDING, confirmed=None),
        subscriber(state=SubscriberState.UNSUBSCRIBED),
        subscriber(confirmed=timedelta(minutes=1)),  # after the update, posted an hour before NOW
    ],
    ids=["pending", "unsubscribed", "confirmed after the update"],
)
def test_some_subscribers_are_not_owed_an_update(who):
    assert delivery_plan(incident().updates, [who], {}) == []


def test_a_recorded_delivery_is_never_planned_again():
    assert delivery_plan(incident().updates, [subscriber(1)], {"u0001a": {"s1"}}) == []


def test_a_late_delivery_says_what_its_update_said():
    resolved = incident(resolved_after=timedelta(minutes=30))
    first = incident_as_of(resolved, "u0001a")
    assert (first.status, [u.id for u in first.updates], first.resolved_at) == (
        PublicStatus.INVESTIGATING,
        ["u0001a"],
        None,
    )


# --- emails --------------------------------------------------------------------------------------


def _update_email(body: str = "We are looking into it.") -> EmailContent:
    opened = incident(name="Major outage of Checkout")
    update = opened.updates[0].model_copy(update={"body": body})
    return update_email(
        "Acme Status",
        opened,
        update,
        names=NAMES,
        permalink="https://status.acme.example/incidents/p0001.html",
        unsubscribe_url="https://api.example/v1/statuspage/subscribers/unsubscribe/t0k",
    )


def test_an_update_email_names_the_page_the_status_and_the_incident():
    assert _update_email().subject == "[Acme Status] Investigating: Major outage of Checkout"


def test_an_update_email_links_to_unsubscribe_in_both_bodies():
    email = _update_email()
    assert all("/unsubscribe/t0k" in body for body in (email.text, email.html))


def test_an_update_email_escapes_the_update_in_html():
    assert "<script>" not in _update_email("<script>alert(1)</script>").html


def test_the_unsubscribe_headers_are_rfc_8058_one_click():
    assert unsubscribe_headers("https://x/u/t") == {
        "List-Unsubscribe": "<https://x/u/t>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- the service ---------------------------------------------------------------------------------


@dataclass
class MemorySubscribers:
    items: dict[str, tuple[Subscriber, int]] = field(default_factory=dict)
    deliveries: dict[tuple[str, str], Delivery] = field(default_factory=dict)
    last: dict[str, Delivery] = field(default_factory=dict)

    def get(self, subscriber_id: str) -> tuple[Subscriber, int] | None:
        return self.items.get(subscriber_id)

    def create(self, subscriber: Subscriber) -> None:
        if subscriber.id in self.items:
            raise Conflict("exists")
        self.items[subscriber.id] = (subscriber, 1)

    def replace(self, subscriber: Subscriber, version: int) -> None:
        if self.items.get(subscriber.id, (None, -1))[1] != version:
            raise Conflict("changed")
        self.items[subscriber.id] = (subscriber, version + 1)

    def delete(self, subscriber_id: str) -> None:
        if self.items.pop(subscriber_id, None) is None:
            raise NotFound(subscriber_id)

    def all(self) -> list[Subscriber]:
        return [s for s, _ in self.items.values()]

    def recorded(self, update_id: str) -> set[str]:
        return {s for u, s in self.deliveries if u == update_id}

    def claim(self, delivery: Delivery) -> bool:
        key = (delivery.update_id, delivery.subscriber_id)
        if key in self.deliveries:
            return False
        self.deliveries[key] = delivery
        return True

    def record(self, delivery: Delivery) -> None:
        self.deliveries[(delivery.update_id, delivery.subscriber_id)] = delivery
        self.last[delivery.subscriber_id] = delivery

    def last_deliveries(self) -> dict[str, Delivery]:
        return dict(self.last)


@dataclass
class Outbox:
    sent: list[tuple[str, EmailContent, dict[str, str]]] = field(default_factory=list)
    failures: int = 0  # the next sends that fail

    def send(
        self, to: str, content: EmailContent, headers: Mapping[str, str], sender: str | None = None
    ) -> str:
        if self.failures:
            self.failures -= 1
            raise DeliveryFailed("email: Throttling")
        self.sent.append((to, content, dict(headers)))
        return f"m{len(self.sent)}"


@dataclass
class Endpoint:
    posts: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)
    failing: bool = False

    refused: tuple[str, ...] = ()  # hosts that resolve to an address webhooks may not go to

    def vet(self, url: str) -> None:
        if any(host in url for host in self.refused):
            raise InvalidInput("webhook URL refused", [f"webhook: {url} resolves to a private address"])

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.posts.append((url, body, dict(headers)))
        if self.failing:
            raise DeliveryFailed("webhook: HTTP 500")
        return 204


@dataclass
class World:
    subscribers: MemorySubscribers
    incidents: MemoryStatusIncidents
    outbox: Outbox
    endpoint: Endpoint
    bus: RecordingBus
    sleeps: list[float]
    statuspage: StatusPageService
    service: SubscriberService
    webhook_keys: StaticKeyring
    clock: FixedClock


def world(config=DEMO) -> World:
    incidents, bus, clock, ids = MemoryStatusIncidents(), RecordingBus(), FixedClock(NOW), CountingIds()
    statuspage = StatusPageService(store=incidents, settings=lambda: config, bus=bus, clock=clock, ids=ids)
    subscribers, outbox, endpoint, sleeps = MemorySubscribers(), Outbox(), Endpoint(), []

    def public(incident_id):
        found = incidents.get(incident_id)
        return None if found is None else found[0]

    service = SubscriberService(
        store=subscribers,
        settings=lambda: config,
        public_incident=public,
        snapshot=statuspage.snapshot,
        email=outbox,
        webhooks=endpoint,
        bus=bus,
        clock=clock,
        ids=ids,
        keys=StaticKeyring.of(SECRET, clock),
        webhook_keys=(webhook_keys := StaticKeyring.of(WEBHOOK_MASTER, clock)),
        public_url="https://api.example/prod/",
        sleep=sleeps.append,
        threads=1,
    )
    return World(
        subscribers, incidents, outbox, endpoint, bus, sleeps, statuspage, service, webhook_keys, clock
    )


def triggered(n: int = 1) -> IncidentSnapshot:
    from klaxon.domain.incident.models import IncidentStatus, Priority, Urgency

    return IncidentSnapshot(
        id=f"inc{n}",
        number=n,
        title="db-1 disk full",
        service="checkout",
        priority=Priority.P1,
        urgency=Urgency.HIGH,
        status=IncidentStatus.TRIGGERED,
        dedup_key=f"k{n}",
        alert_count=1,
        created_at=NOW - timedelta(minutes=5),
    )


def open_public_incident(w: World) -> None:
    w.statuspage.on_incident(DetailType.INCIDENT_TRIGGERED, triggered())


def active(w: World, kind: SubscriberKind = SubscriberKind.EMAIL) -> Subscriber:
    who = subscriber(kind=kind)
    w.subscribers.create(who)
    return who


def test_subscribing_keeps_the_address_pending_and_asks_for_a_confirmation():
    w = world()
    w.service.subscribe_email("Reader@Example.com")
    (stored,) = w.subscribers.all()
    assert (stored.state, w.bus.types()) == (SubscriberState.PENDING, [DetailType.STATUS_SUBSCRIBER_ADDED])


def test_without_a_status_page_nobody_can_subscribe():
    w = world(config=None)
    with pytest.raises(Conflict, match="no status page"):
        w.service.subscribe_email("reader@example.com")


def test_with_email_turned_off_nobody_can_subscribe_by_email():
    w = world(config=EMAIL_OFF)
    with pytest.raises(Conflict, match="turned off"):
        w.service.subscribe_email("reader@example.com")


def test_the_confirmation_email_carries_an_absolute_confirm_link():
    w = world()
    w.service.subscribe_email("reader@example.com")
    w.service.send_confirmation(email_subscriber_id("reader@example.com"))
    ((_, content, _),) = w.outbox.sent
    assert "https://api.example/prod/v1/statuspage/subscribers/confirm/" in content.text


def test_an_active_subscriber_gets_no_confirmation_email():
    w = world()
    assert (w.service.send_confirmation(active(w).id), w.outbox.sent) == (False, [])


def test_confirming_activates_at_the_time_of_the_click():
    w = world()
    w.service.subscribe_email("reader@example.com")
    link = w.service.confirm_link(email_subscriber_id("reader@example.com"))
    confirmed = w.service.confirm(link.rpartition("/")[2])
    assert (confirmed.state, confirmed.confirmed_at) == (SubscriberState.ACTIVE, NOW)


def test_a_confirmation_link_after_unsubscribing_does_not_resubscribe():
    w = world()
    w.service.subscribe_email("reader@example.com")
    sid = email_subscriber_id("reader@example.com")
    token = w.service.confirm_link(sid).rpartition("/")[2]
    w.service.unsubscribe(w.service.unsubscribe_link(sid).rpartition("/")[2])
    with pytest.raises(SubscriberLinkInvalid):
        w.service.confirm(token)


def test_opening_a_public_incident_announces_its_first_update():
    w = world()
    w.statuspage.announce = announcer(w.bus)
    open_public_incident(w)
    assert w.bus.types() == [DetailType.STATUS_UPDATE_POSTED]


def test_the_same_incident_event_twice_announces_once():
    w = world()
    w.statuspage.announce = announcer(w.bus)
    open_public_incident(w)
    open_public_incident(w)
    assert w.bus.types() == [DetailType.STATUS_UPDATE_POSTED]


def test_a_person_s_update_is_announced():
    w = world()
    open_public_incident(w)
    w.statuspage.announce = announcer(w.bus)
    w.statuspage.post_update("inc1", PublicStatus.IDENTIFIED)
    assert DetailType.STATUS_UPDATE_POSTED in w.bus.types()


def test_an_update_reaches_an_active_subscriber_once_however_often_it_is_fanned_out():
    w = world()
    active(w)
    open_public_incident(w)
    w.service.deliver("inc1")
    w.service.deliver("inc1")
    assert [content.subject for _, content, _ in w.outbox.sent] == [
        "[Acme Status] Investigating: Major outage of Checkout"
    ]


def test_a_later_fan_out_sends_only_the_new_update():
    w = world()
    active(w)
    open_public_incident(w)
    w.service.deliver("inc1")
    w.statuspage.post_update("inc1", PublicStatus.MONITORING, "Watching.")
    assert w.service.deliver("inc1").delivered == 1


def test_an_update_email_has_one_click_unsubscribe_headers():
    w = world()
    active(w)
    open_public_incident(w)
    w.service.deliver("inc1")
    ((_, _, headers),) = w.outbox.sent
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_email_that_fails_once_is_sent_on_the_second_attempt():
    w = world()
    active(w)
    open_public_incident(w)
    w.outbox.failures = 1
    w.service.deliver("inc1")
    assert (w.subscribers.last["s1"].state, w.subscribers.last["s1"].attempts) == (DeliveryState.DELIVERED, 2)


def test_a_failing_webhook_is_tried_three_times_with_backoff():
    w = world()
    active(w, SubscriberKind.WEBHOOK)
    open_public_incident(w)
    w.endpoint.failing = True
    w.service.deliver("inc1")
    assert (len(w.endpoint.posts), w.sleeps) == (3, [1.0, 4.0])


def test_a_failing_webhook_is_recorded_as_failed_with_its_error():
    w = world()
    active(w, SubscriberKind.WEBHOOK)
    open_public_incident(w)
    w.endpoint.failing = True
    w.service.deliver("inc1")
    last = w.subscribers.last["s1"]
    assert (last.state, last.attempts, last.error) == (DeliveryState.FAILED, 3, "webhook: HTTP 500")


def test_a_webhook_delivery_is_signed_with_the_subscriber_s_secret():
    w = world()
    active(w, SubscriberKind.WEBHOOK)
    open_public_incident(w)
    w.service.deliver("inc1")
    ((_, body, headers),) = w.endpoint.posts
    secret = webhook_secret(WEBHOOK_MASTER, "s1")
    assert verify_webhook_signature(secret, body, headers[SIGNATURE_HEADER], NOW)
    assert w.service.webhook_secret_of("s1").secret == secret


def test_after_a_rotation_deliveries_carry_both_signatures_until_the_grace_ends():
    w = world()
    active(w, SubscriberKind.WEBHOOK)
    old = webhook_secret(WEBHOOK_MASTER, "s1")
    w.webhook_keys.rotate(timedelta(hours=24))
    new = w.service.webhook_secret_of("s1")
    open_public_incident(w)
    w.service.deliver("inc1")

    ((_, body, headers),) = w.endpoint.posts
    assert new.secret != old and new.previous_valid_until == NOW + timedelta(hours=24)
    assert verify_webhook_signature(new.secret, body, headers[SIGNATURE_HEADER], NOW)
    assert verify_webhook_signature(old, body, headers[SIGNATURE_HEADER], NOW)  # a receiver not yet updated
    w.clock.advance(hours=24)
    assert w.service.webhook_secrets(w.subscribers.items["s1"][0]) == [new.secret]


def test_a_webhook_stored_with_its_own_secret_signs_with_it_until_the_first_rotation():
    w = world()
    stored = "whsec_stored_by_an_old_version"
    legacy = subscriber(1, kind=SubscriberKind.WEBHOOK).model_copy(update={"secret": stored})
    assert w.service.webhook_secrets(legacy) == [stored]

    w.webhook_keys.rotate(timedelta(hours=24))
    assert w.service.webhook_secrets(legacy) == [webhook_secret(w.webhook_keys.current(), "s1"), stored]
    w.clock.advance(hours=24)
    assert w.service.webhook_secrets(legacy) == [webhook_secret(w.webhook_keys.current(), "s1")]


def test_an_email_subscriber_has_no_webhook_secret():
    w = world()
    active(w)
    with pytest.raises(NotFound):
        w.service.webhook_secret_of("s1")


def test_a_webhook_delivery_unsubscribes_through_a_signed_link():
    w = world()
    active(w, SubscriberKind.WEBHOOK)
    open_public_incident(w)
    w.service.deliver("inc1")
    meta = json.loads(w.endpoint.posts[0][1])["meta"]
    assert meta["unsubscribe"].startswith("https://api.example/prod/v1/statuspage/subscribers/unsubscribe/")


def test_an_added_webhook_is_active_and_its_secret_is_returned_once():
    w = world()
    added = w.service.add_webhook("https://hooks.example/x", "token:ops")
    listed = w.service.list()[0].model_dump()
    assert (added.subscriber.state, added.secret.startswith("whsec_"), "secret" in listed) == (
        SubscriberState.ACTIVE,
        True,
        False,
    )


def test_with_email_turned_off_nothing_is_emailed():
    w = world(config=EMAIL_OFF)
    active(w)
    open_public_incident(w)
    assert (w.service.deliver("inc1").planned, w.outbox.sent) == (0, [])


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("10.0.0.5", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("fd00:ec2::254", "private"),  # the IPv6 metadata service
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("127.0.0.1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("not-an-ip", "not an IP address"),
    ],
)
def test_a_webhook_goes_only_to_public_addresses(address, refused):
    from klaxon.domain.statuspage.subscribers import address_refusal

    found = address_refusal(address)
    assert (found is None) if refused is None else (refused in found)


def test_loopback_is_allowed_where_the_platform_runs_locally():
    from klaxon.domain.statuspage.subscribers import address_refusal

    assert address_refusal("127.0.0.1", allow_loopback=True) is None
    assert address_refusal("10.0.0.5", allow_loopback=True) is not None


def test_a_webhook_whose_host_resolves_inside_the_network_is_refused_when_added():
    w = world()
    w.endpoint.refused = ("internal.acme.example",)
    with pytest.raises(InvalidInput, match="webhook URL refused"):
        w.service.add_webhook("https://internal.acme.example/hook", "token:ops")
    assert w.subscribers.all() == []

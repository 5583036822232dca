"""Acknowledging from anywhere under the local platform: the signed link over HTTP, and SMS replies."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from klaxon.domain.incident.models import Incident, IncidentStatus, Priority, TimelineEntry, Urgency
from klaxon.events import DetailType, IncidentEvent
from tests.fakes.memory import page_to_alice, sent

ALICE_PHONE = "+15550101001"


def open_incident(title: str = "Checkout error rate above 5%") -> Incident:
    """An incident written straight to the table: these tests are about acknowledging, not escalating."""
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository

    incidents = DynamoIncidentRepository()
    now = datetime.now(UTC)
    number = incidents.next_number()
    incident = Incident(
        id=uuid.uuid4().hex,
        number=number,
        title=title,
        service="checkout",
        priority=Priority.P1,
        urgency=Urgency.HIGH,
        status=IncidentStatus.TRIGGERED,
        dedup_key=f"ack-paths-{number}",
        created_at=now,
        updated_at=now,
    )
    entry = TimelineEntry(subject=incident.id, at=now, kind="triggered", actor="test", message="Triggered")
    # Announced as updated, not triggered: nothing starts escalating it.
    updated = IncidentEvent(DetailType.INCIDENT_UPDATED, "test", "test")
    incidents.create(incident, entry=entry, event=updated)
    return incident


def link_for(incident: Incident, user: str = "alice") -> str:
    from klaxon import wiring

    return wiring.container().ack_service.link_for(incident.id, user)


def expired_link_for(incident: Incident, platform) -> str:
    from klaxon import wiring
    from klaxon.domain.paging.ackcodes import AckLink, make_ack_token

    gone = AckLink(incident_id=incident.id, user="alice", expires_at=datetime.now(UTC) - timedelta(minutes=1))
    return f"{platform.url}/a/{make_ack_token(wiring.container().link_keys.current(), gone)}"


def current(http, incident: Incident) -> dict:
    return http.get(f"/v1/incidents/{incident.id}").json()


@pytest.fixture
def browser(platform):
    """A client with no API token: the link alone must be enough."""
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def sms_log(caplog):
    # Powertools loggers do not propagate: listen on the function's logger itself.
    logger = logging.getLogger("klaxon-sms-inbound")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def test_ack_link_points_at_the_running_api(platform):
    assert link_for(open_incident()).startswith(f"{platform.url}/a/")


def test_ack_link_get_shows_a_confirm_page_with_a_form(browser):
    incident = open_incident()
    response = browser.get(link_for(incident))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f"Acknowledge incident #{incident.number}?" in response.text
    assert "Checkout error rate above 5%" in response.text
    assert '<form method="post">' in response.text


def test_ack_link_get_changes_nothing(browser, http):
    incident = open_incident()
    browser.get(link_for(incident))
    assert current(http, incident)["status"] == "triggered"


def test_ack_link_page_is_never_cached_nor_referred(browser):
    response = browser.get(link_for(open_incident()))
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_ack_link_post_acknowledges_as_the_links_user(browser, http):
    incident = open_incident()
    response = browser.post(link_for(incident))
    assert response.status_code == 200
    assert f"Incident #{incident.number} acknowledged" in response.text
    assert current(http, incident)["acknowledged_by"] == "user:alice"


def test_ack_link_post_puts_the_user_on_the_timeline(browser, http):
    incident = open_incident()
    browser.post(link_for(incident))
    timeline = http.get(f"/v1/incidents/{incident.id}/timeline").json()["timeline"]
    # The status page's own update ("status update", by system:statuspage) may land in between.
    assert [(e["kind"], e["actor"]) for e in timeline if e["kind"] != "status update"] == [
        ("triggered", "test"),
        ("acknowledged", "user:alice"),
    ]


def test_ack_link_of_an_acknowledged_incident_says_who_did_it(browser):
    incident = open_incident()
    browser.post(link_for(incident, "bob"))
    response = browser.post(link_for(incident, "alice"))
    assert response.status_code == 200
    assert "acknowledged by user:bob" in response.text


def test_expired_ack_link_is_refused_and_changes_nothing(browser, http, platform):
    incident = open_incident()
    response = browser.post(expired_link_for(incident, platform))
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert current(http, incident)["status"] == "triggered"


def test_forged_ack_link_is_refused(browser, platform):
    incident = open_incident()
    head, _, _ = link_for(incident).rpartition("/")[2].partition(".")
    response = browser.get(f"{platform.url}/a/{head}.AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 401
    assert "This link is not valid" in response.text


def test_sms_ack_from_alices_phone_acknowledges_incident_n(platform, http):
    incident = open_incident()
    assert platform.messaging.reply(ALICE_PHONE, f"ack {incident.number}") == {"results": ["acknowledged"]}
    assert current(http, incident)["acknowledged_by"] == "user:alice"


def test_sms_res_from_alices_phone_resolves_incident_n(platform, http):
    incident = open_incident()
    platform.messaging.reply(ALICE_PHONE, f"RES {incident.number}")
    found = current(http, incident)
    assert (found["status"], found["resolved_by"]) == ("resolved", "user:alice")


def test_sms_of_the_bare_code_acknowledges(platform, http):
    incident = open_incident()
    platform.messaging.reply(ALICE_PHONE, str(incident.number))
    assert current(http, incident)["status"] == "acknowledged"


def test_sms_from_an_unknown_number_is_refused_and_changes_nothing(platform, http, sms_log):
    incident = open_incident()
    assert platform.messaging.reply("+15559990000", f"ack {incident.number}") == {"results": ["refused"]}
    assert current(http, incident)["status"] == "triggered"
    assert "refused" in sms_log.text


def test_a_bare_res_from_a_phone_paged_for_nothing_is_refused_and_texted_back(platform, http, sms_log):
    incident = open_incident()  # written straight to the table: nobody was paged for it
    assert platform.messaging.reply(ALICE_PHONE, "res") == {"results": ["not paged"]}
    assert current(http, incident)["status"] == "triggered"
    (answer,) = [m for m in platform.messaging.outbox() if m.to == ALICE_PHONE]
    assert answer.text == "Klaxon: this number was not paged for any open incident, so nothing changed."
    assert "not paged" in sms_log.text


def test_a_bare_ack_acts_on_the_last_page_sent_to_that_phone(platform, http):
    from klaxon import wiring
    from klaxon.domain.paging.policy import Channel

    incident = open_incident()
    page = page_to_alice(incident, Channel.SMS, ALICE_PHONE)
    wiring.container().notification_records.record(0, page, sent(page, datetime.now(UTC)))
    assert platform.messaging.reply(ALICE_PHONE, "ack") == {"results": ["acknowledged"]}
    assert current(http, incident)["acknowledged_by"] == "user:alice"


def test_sms_that_is_no_command_is_ignored_with_a_log_line(platform, http, sms_log):
    incident = open_incident()
    assert platform.messaging.reply(ALICE_PHONE, "on my way!") == {"results": ["ignored"]}
    assert current(http, incident)["status"] == "triggered"
    assert "not a command" in sms_log.text


def test_an_sns_message_that_is_no_sms_is_ignored(platform):
    from klaxon.local.messaging import inbound_sms_event

    event = inbound_sms_event(ALICE_PHONE, "ack 1")
    event["Records"][0]["Sns"]["Message"] = "not json"
    assert platform.invoker.invoke("sms_inbound", event) == {"results": ["ignored"]}

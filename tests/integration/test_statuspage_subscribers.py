"""Status page subscribers on the local platform: double opt-in email through SES (moto), one-click
unsubscribe, signed webhooks to a receiver on 127.0.0.1, and every public update delivered once."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from klaxon.adapters.tables import ConfigItem
from klaxon.domain.paging.policy import Channel
from klaxon.domain.statuspage.subscribers import SIGNATURE_HEADER, verify_webhook_signature
from klaxon.events import DetailType, IncidentChanged, IncidentSnapshot, StatusUpdatePosted
from tests.unit.statuspage.shapes import INCIDENT_FIELDS, UPDATE_FIELDS

CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
READER = "reader@example.com"
LINK = re.compile(r"https?://[^\"'\s<>]+/v1/statuspage/subscribers/(confirm|unsubscribe)/[A-Za-z0-9_.-]+")


# --- helpers -------------------------------------------------------------------------------------


def subscribe(platform: Any, address: str = READER) -> httpx.Response:
    """Subscribe as the public does: no token."""
    return httpx.post(f"{platform.url}/v1/statuspage/subscribers", json={"email": address}, timeout=10)


def mail_to(platform: Any, address: str = READER) -> list[Any]:
    return [m for m in platform.messaging.outbox() if m.channel is Channel.EMAIL and m.to == address]


def subjects(platform: Any, address: str = READER) -> list[str]:
    return [m.text for m in mail_to(platform, address)]


def link(message: Any, kind: str) -> str:
    found = [m.group(0) for m in LINK.finditer(message.body) if m.group(1) == kind]
    assert found, f"no {kind} link in {message.text!r}"
    return found[0]


def confirmed(platform: Any, address: str = READER) -> None:
    assert subscribe(platform, address).status_code == 202
    assert platform.drain()
    (confirmation,) = mail_to(platform, address)
    assert httpx.get(link(confirmation, "confirm"), timeout=10).status_code == 200


def alert(http: httpx.Client, platform: Any, dedup_key: str, severity: str = "critical") -> dict[str, Any]:
    body = {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {"summary": "Checkout 5xx above 5%", "source": "lb-1", "severity": severity},
    }
    assert http.post("/v2/enqueue", json=body).status_code == 202
    assert platform.drain()
    (incident,) = http.get("/v1/incidents", params={"dedup_key": dedup_key}).json()["incidents"]
    incident: dict[str, Any]
    return incident


def resolve(http: httpx.Client, platform: Any, incident: dict[str, Any]) -> None:
    assert http.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    assert platform.drain()


def subscriber(http: httpx.Client, address: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        s for s in http.get("/v1/statuspage/subscribers").json()["subscribers"] if s["address"] == address
    )
    return found


@pytest.fixture
def fast_retries(platform: Any) -> None:
    """Webhook retries back off for milliseconds here (the unit tests check the real backoff)."""
    from klaxon import wiring

    wiring.container().subscriber_service.backoff_s = (0.01, 0.01)


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1 that records each POST and answers `status`."""

    status: int = 200
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(received.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/status"
    yield received
    server.shutdown()
    server.server_close()


def add_webhook(http: httpx.Client, url: str) -> dict[str, Any]:
    response = http.post("/v1/statuspage/subscribers", json={"webhook": url})
    assert response.status_code == 201, response.text
    added: dict[str, Any] = response.json()
    return added


# --- email: double opt-in ------------------------------------------------------------------------


def test_subscribing_sends_a_confirmation_email(platform):
    assert subscribe(platform).status_code == 202
    assert platform.drain()
    assert subjects(platform) == ["Confirm your subscription to Acme Status"]


def test_the_answer_is_the_same_whether_or_not_the_address_is_subscribed(platform):
    first = subscribe(platform, "new@example.com")
    confirmed(platform)
    again = subscribe(platform)
    assert (again.status_code, again.json()) == (first.status_code, first.json())


def test_subscribing_a_confirmed_address_again_sends_nothing(platform):
    confirmed(platform)
    subscribe(platform)
    assert platform.drain()
    assert len(mail_to(platform)) == 1


def test_an_address_that_is_not_one_is_refused(platform):
    response = httpx.post(f"{platform.url}/v1/statuspage/subscribers", json={"email": "nobody"}, timeout=10)
    assert response.status_code == 400


def test_the_confirmation_link_activates_the_subscriber(http, platform):
    confirmed(platform)
    assert subscriber(http, READER)["state"] == "active"


def test_a_forged_confirmation_link_is_refused(platform):
    response = httpx.get(f"{platform.url}/v1/statuspage/subscribers/confirm/bm9wZQ.AAAA", timeout=10)
    assert (response.status_code, "not valid" in response.text) == (404, True)


def test_an_unconfirmed_address_gets_no_incident_email(http, platform):
    subscribe(platform)
    alert(http, platform, "sub-unconfirmed")
    assert subjects(platform) == ["Confirm your subscription to Acme Status"]


# --- email: public updates -----------------------------------------------------------------------


def test_a_critical_incident_emails_investigating_to_a_confirmed_subscriber(http, platform):
    confirmed(platform)
    alert(http, platform, "sub-1")
    assert subjects(platform)[1:] == ["[Acme Status] Investigating: Major outage of Checkout"]


def test_investigating_is_emailed_once_when_the_incident_event_is_delivered_twice(http, platform):
    from klaxon import wiring

    confirmed(platform)
    incident = alert(http, platform, "sub-2")
    again = IncidentChanged(
        incident=IncidentSnapshot.model_validate(incident), actor="integration:x", reason="alert triggered"
    )
    wiring.container().bus.publish(DetailType.INCIDENT_TRIGGERED, again)
    assert platform.drain()
    assert len(subjects(platform)[1:]) == 1


def test_investigating_is_emailed_once_when_its_announcement_is_delivered_twice(http, platform):
    from klaxon import wiring

    confirmed(platform)
    incident = alert(http, platform, "sub-3")
    (update,) = http.get(f"/v1/incidents/{incident['id']}/status-updates").json()["updates"]
    posted = StatusUpdatePosted(incident_id=incident["id"], update_id=update["id"], status="investigating")
    wiring.container().bus.publish(DetailType.STATUS_UPDATE_POSTED, posted)
    assert platform.drain()
    assert len(subjects(platform)[1:]) == 1


def test_resolving_the_incident_emails_resolved(http, platform):
    confirmed(platform)
    resolve(http, platform, alert(http, platform, "sub-4"))
    assert [s.split(":")[0] for s in subjects(platform)[1:]] == [
        "[Acme Status] Investigating",
        "[Acme Status] Resolved",
    ]


def test_an_update_posted_by_a_person_is_emailed(http, platform):
    confirmed(platform)
    incident = alert(http, platform, "sub-5")
    http.post(f"/v1/incidents/{incident['id']}/status-updates", json={"status": "identified"})
    assert platform.drain()
    assert subjects(platform)[-1].startswith("[Acme Status] Identified:")


def test_a_subscriber_confirmed_after_an_update_does_not_get_it(http, platform):
    alert(http, platform, "sub-6")
    confirmed(platform)
    assert len(mail_to(platform)) == 1


def test_a_p4_incident_emails_no_subscriber(http, platform):
    confirmed(platform)
    alert(http, platform, "sub-7", severity="info")
    assert len(mail_to(platform)) == 1


def test_a_drill_emails_no_subscriber(http, platform):
    confirmed(platform)
    assert http.post("/v1/drills", json={"policy": "default"}).status_code == 201
    assert platform.drain()
    assert len(mail_to(platform)) == 1


def test_every_update_email_has_one_click_unsubscribe_headers(http, platform):
    from klaxon.adapters.aws import client

    sent: list[dict[str, Any]] = []
    client("sesv2").meta.events.register(
        "provide-client-params.sesv2.SendEmail", lambda params, **_: sent.append(params)
    )
    confirmed(platform)
    alert(http, platform, "sub-8")
    (update,) = [
        p for p in sent if p["Destination"]["ToAddresses"] == [READER] and "Headers" in p["Content"]["Simple"]
    ]
    headers = {h["Name"]: h["Value"] for h in update["Content"]["Simple"]["Headers"]}
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert LINK.fullmatch(headers["List-Unsubscribe"].strip("<>"))


# --- unsubscribing -------------------------------------------------------------------------------


def test_opening_the_unsubscribe_link_changes_nothing(http, platform):
    confirmed(platform)
    alert(http, platform, "sub-9")
    page = httpx.get(link(mail_to(platform)[-1], "unsubscribe"), timeout=10)
    assert ('<form method="post">' in page.text, subscriber(http, READER)["state"]) == (True, "active")


def test_the_one_click_unsubscribe_stops_further_mail(http, platform):
    confirmed(platform)
    incident = alert(http, platform, "sub-10")
    unsubscribe = link(mail_to(platform)[-1], "unsubscribe")
    response = httpx.post(unsubscribe, content=b"List-Unsubscribe=One-Click", timeout=10)
    assert response.status_code == 200
    resolve(http, platform, incident)
    assert len(mail_to(platform)) == 2


# --- webhooks ------------------------------------------------------------------------------------


def test_adding_a_webhook_needs_a_token(platform, receiver):
    response = httpx.post(
        f"{platform.url}/v1/statuspage/subscribers", json={"webhook": receiver.url}, timeout=10
    )
    assert response.status_code == 401


def test_a_webhook_that_is_not_https_is_refused(http):
    response = http.post("/v1/statuspage/subscribers", json={"webhook": "http://example.com/hook"})
    assert response.status_code == 400


def test_a_webhook_receives_a_post_signed_with_its_secret(http, platform, receiver):
    secret = add_webhook(http, receiver.url)["secret"]
    alert(http, platform, "sub-11")
    ((headers, body),) = receiver.requests
    assert verify_webhook_signature(secret, body, headers[SIGNATURE_HEADER.lower()], datetime.now(UTC))


def test_after_the_webhook_secret_rotates_a_delivery_verifies_under_the_old_and_the_new(
    http, platform, receiver
):
    added = add_webhook(http, receiver.url)
    assert http.post("/v1/secrets/webhook/rotate", json={"grace_hours": 24}).status_code == 200
    current = http.get(f"/v1/statuspage/subscribers/{added['subscriber']['id']}/secret").json()
    alert(http, platform, "sub-12")

    ((headers, body),) = receiver.requests
    signed, now = headers[SIGNATURE_HEADER.lower()], datetime.now(UTC)
    assert current["secret"] != added["secret"] and current["previous_valid_until"] is not None
    assert verify_webhook_signature(current["secret"], body, signed, now)
    assert verify_webhook_signature(added["secret"], body, signed, now)


def test_no_webhook_secret_is_kept_in_the_config_table(http, platform, receiver):
    secret = add_webhook(http, receiver.url)["secret"]

    assert secret not in json.dumps([item.doc for item in ConfigItem.scan()])


def test_the_webhook_payload_is_statuspage_s_incident_webhook(http, platform, receiver):
    add_webhook(http, receiver.url)
    alert(http, platform, "sub-12")
    payload = json.loads(receiver.requests[0][1])
    incident = payload["incident"]
    assert (set(payload), set(incident), set(incident["incident_updates"][0]), incident["status"]) == (
        {"meta", "page", "incident"},
        INCIDENT_FIELDS,
        UPDATE_FIELDS,
        "investigating",
    )


def test_the_webhook_secret_is_never_listed(http, receiver):
    add_webhook(http, receiver.url)
    assert "secret" not in subscriber(http, receiver.url)


@pytest.mark.usefixtures("fast_retries")
def test_a_failing_webhook_is_tried_three_times_then_recorded_as_failed(http, platform, receiver):
    receiver.status = 500
    add_webhook(http, receiver.url)
    alert(http, platform, "sub-13")
    last = subscriber(http, receiver.url)["last_delivery"]
    assert (len(receiver.requests), last["state"], last["attempts"]) == (3, "failed", 3)


@pytest.mark.usefixtures("fast_retries")
def test_a_later_update_does_not_retry_a_failed_delivery(http, platform, receiver):
    receiver.status = 500
    add_webhook(http, receiver.url)
    incident = alert(http, platform, "sub-14")
    receiver.status = 200
    resolve(http, platform, incident)
    assert [json.loads(b)["incident"]["status"] for _, b in receiver.requests] == ["investigating"] * 3 + [
        "resolved"
    ]


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(receiver):
    from klaxon.adapters.webhooks import HttpWebhookPoster
    from klaxon.domain.paging.pages import DeliveryFailed

    receiver.status = 302
    with pytest.raises(DeliveryFailed, match="HTTP 302"):
        HttpWebhookPoster(timeout=5, allow_loopback=True).post(
            receiver.url, b"{}", {"Content-Type": "application/json"}
        )


def test_a_webhook_to_an_address_inside_the_network_is_never_sent(receiver):
    from klaxon.adapters.webhooks import HttpWebhookPoster
    from klaxon.domain.errors import InvalidInput
    from klaxon.domain.paging.pages import DeliveryFailed

    in_aws = HttpWebhookPoster(timeout=5)  # loopback allowed only outside Lambda
    with pytest.raises(DeliveryFailed, match="loopback"):
        in_aws.post(receiver.url, b"{}", {})
    with pytest.raises(InvalidInput, match="webhook URL refused"):
        in_aws.vet(receiver.url)
    rebinding = HttpWebhookPoster(timeout=5, resolver=lambda host, port: ["93.184.216.34", "169.254.169.254"])
    with pytest.raises(DeliveryFailed, match="link-local"):
        rebinding.post("https://hooks.acme.example/klaxon", b"{}", {})
    assert receiver.requests == []


# --- administration ------------------------------------------------------------------------------


def test_listing_subscribers_needs_a_token(platform):
    assert httpx.get(f"{platform.url}/v1/statuspage/subscribers", timeout=10).status_code == 401


def test_a_removed_subscriber_is_no_longer_listed(http, platform):
    confirmed(platform)
    assert http.delete(f"/v1/statuspage/subscribers/{subscriber(http, READER)['id']}").status_code == 204
    assert [s["address"] for s in http.get("/v1/statuspage/subscribers").json()["subscribers"]] == []


def test_removing_an_unknown_subscriber_is_not_found(http):
    assert http.delete("/v1/statuspage/subscribers/nope").status_code == 404

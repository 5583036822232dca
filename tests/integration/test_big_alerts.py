"""An alert as big as ingest accepts becomes an incident that pages, once, even if S3 fails on the way."""

from __future__ import annotations

from typing import Any

from tests.integration.noise_support import CHECKOUT_KEY, eventually, incidents, notifications

LINKS = [{"href": f"https://g.example/d/{n:05d}"} for n in range(12_000)]


def big_event(key: str, **payload: Any) -> dict[str, Any]:
    return {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {"summary": "Checkout down", "source": "lb", "severity": "critical", **payload},
        "links": LINKS,
    }


def send(http, platform, event: dict[str, Any]) -> dict[str, Any]:
    response = http.post("/v2/enqueue", json=event)
    assert response.status_code == 202, response.text
    assert platform.drain()
    (incident,) = incidents(http, dedup_key=event["dedup_key"])
    return incident


def paged_once(http, incident: dict[str, Any]) -> None:
    sent = eventually(lambda: notifications(http, incident["id"]))
    pages = [(n["step"], n["user"], n["channel"]) for n in sent]
    assert pages and len(set(pages)) == len(pages)
    assert {step for step, _, _ in pages} == {0}


def test_twelve_thousand_links_become_an_incident_that_pages_once(platform, http) -> None:
    event = big_event("many-links", custom_details={"log": "x" * 70_000})
    assert 400 * 1024 < len(http.build_request("POST", "/", json=event).content) <= 512 * 1024

    incident = send(http, platform, event)

    assert len(incident["links"]) == 50  # the list shows what the record holds
    shown = http.get(f"/v1/incidents/{incident['id']}").json()
    assert [link["href"] for link in shown["links"]] == [link["href"] for link in LINKS]
    assert shown["details"] == {"log": "x" * 70_000}
    paged_once(http, incident)


def test_a_failed_put_to_the_payload_bucket_is_retried_and_pages_once(platform, http, monkeypatch) -> None:
    from klaxon.adapters.s3_payloads import S3PayloadStore

    real, failed = S3PayloadStore.put, []

    def failing_once(self: S3PayloadStore, key: str, body: bytes) -> str:
        if key.startswith("details/") and not failed:
            failed.append(key)
            raise RuntimeError("injected: S3 PutObject failed")
        return real(self, key, body)

    monkeypatch.setattr(S3PayloadStore, "put", failing_once)

    incident = send(http, platform, big_event("s3-fails"))

    assert failed  # the router's first attempt failed after claiming the key; Lambda's retry opened it
    assert len(http.get(f"/v1/incidents/{incident['id']}").json()["links"]) == 12_000
    paged_once(http, incident)


def test_an_incident_whose_stored_details_are_gone_still_reads(platform, http) -> None:
    import boto3

    from klaxon.settings import Settings

    incident = send(http, platform, big_event("gone", custom_details={"log": "x" * 70_000}))
    bucket = Settings().payload_bucket
    s3 = boto3.client("s3")
    for item in s3.list_objects_v2(Bucket=bucket, Prefix=f"details/{incident['id']}")["Contents"]:
        s3.delete_object(Bucket=bucket, Key=item["Key"])

    response = http.get(f"/v1/incidents/{incident['id']}")

    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["details"], shown["details_note"], len(shown["links"])) == (
        None,
        "details no longer stored",
        50,
    )

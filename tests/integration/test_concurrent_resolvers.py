"""The api and ingest resolve requests at the same moment in `klaxon up` without reading each other's:
Powertools keeps the current request in a class attribute, one per process, and here they share one."""

from __future__ import annotations

import threading
from collections import Counter

import httpx


def test_an_api_request_is_validated_while_ingest_refuses_others(platform, http):
    stop = threading.Event()

    def ingest_refusals() -> None:
        with httpx.Client(base_url=platform.url, timeout=30) as client:
            while not stop.is_set():
                client.post("/v2/enqueue", json={"routing_key": 5})  # a 400 of ingest's own

    sender = threading.Thread(target=ingest_refusals)
    sender.start()
    try:
        answers = Counter(http.get("/v1/incidents", params={"limit": "abc"}).status_code for _ in range(200))
    finally:
        stop.set()
        sender.join(30)
    assert answers == {400: 200}

"""The process's AWS SDK: one botocore session, and boto3 clients built on it once per process (a Lambda
container), lazily, so cold starts pay only for use.

PynamoDB's connection (`tables.connection`) builds its DynamoDB client on the same session. Each botocore
session loads the endpoint rules and partitions and lists every service's models once, on its first
client: with a session of PynamoDB's beside boto3's, a cold function that read a table and called another
service paid that twice (about 30 ms of ingest's first request, `bench_coldstart`). A session is not safe
to build clients from in two threads at once (the local platform runs functions in threads), so building
a client takes `CREATING`.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import botocore.session

CREATING = threading.Lock()
_SESSION = threading.Lock()


def botocore_session() -> botocore.session.Session:
    """The one botocore session: boto3's default session wraps it, so `boto3.client` builds on it too. Made
    under a lock of its own (not CREATING, which a client's build holds while it asks for the session):
    two first calls at once would make two sessions."""
    with _SESSION:
        return _made_session()


@functools.cache
def _made_session() -> botocore.session.Session:
    import boto3
    import botocore.session

    shared = botocore.session.get_session()
    boto3.setup_default_session(botocore_session=shared)
    return shared


@functools.cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    from klaxon.settings import Settings

    region = Settings.from_environ().region
    botocore_session()  # boto3's default session is made on it
    with CREATING:
        return boto3.client(
            service, region_name=region, config=Config(retries={"mode": "standard", "max_attempts": 5})
        )


def reset_clients() -> None:
    """Forget cached clients (tests and the local runtime swap endpoints)."""
    client.cache_clear()

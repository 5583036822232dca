"""boto3 clients built once per process (a Lambda container), lazily, so cold starts pay only for use."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    from klaxon.settings import Settings

    region = Settings.from_environ().region
    return boto3.client(
        service, region_name=region, config=Config(retries={"mode": "standard", "max_attempts": 5})
    )


def reset_clients() -> None:
    """Forget cached clients (tests and the local runtime swap endpoints)."""
    client.cache_clear()

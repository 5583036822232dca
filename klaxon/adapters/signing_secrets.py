"""Integrations' signing secrets in one Secrets Manager secret: `{"<integration id>": SecretVersions}`.

CloudFormation creates it empty (`{}`); applying a configuration replaces its contents (the api function
alone may write it), and ingest reads it once a minute per container. A changed secret is rotated: the
old value verifies for 24 hours, so a sender can be switched after the apply without losing alerts.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping

from klaxon.adapters.aws import client
from klaxon.domain.access.rotation import SecretVersions, reconciled
from klaxon.ports import Clock
from klaxon.settings import Settings

CACHE_SECONDS = 60.0
MISS_REREAD_SECONDS = 5.0  # a signed integration missing from the cached copy re-reads it, at most this often


class SecretsManagerSigningSecrets:
    def __init__(self, secret_id: str | None, clock: Clock) -> None:
        self.secret_id = secret_id
        self.clock = clock
        self._lock = threading.Lock()
        self._read: tuple[float, dict[str, SecretVersions]] | None = None

    def _id(self) -> str:
        if not self.secret_id:
            name = Settings.env_name("integration_secrets")
            raise LookupError(f"{name} names no secret: signed integrations need it")
        return self.secret_id

    def versions(self, fresh: bool = False) -> dict[str, SecretVersions]:
        with self._lock:
            if fresh or self._read is None or time.monotonic() - self._read[0] >= CACHE_SECONDS:
                value = client("secretsmanager").get_secret_value(SecretId=self._id())["SecretString"]
                kept = {name: SecretVersions.model_validate(v) for name, v in json.loads(value).items()}
                self._read = (time.monotonic(), kept)
            return self._read[1]

    def accepted(self, integration: str) -> tuple[str, ...]:
        found = self.versions().get(integration)
        if found is None and self._age() >= MISS_REREAD_SECONDS:  # applied since this container read it
            found = self.versions(fresh=True).get(integration)
        return tuple(found.accepted(self.clock.now())) if found is not None else ()

    def _age(self) -> float:
        with self._lock:
            return time.monotonic() - self._read[0] if self._read is not None else float("inf")

    def replace(self, wanted: Mapping[str, str]) -> None:
        kept = self.versions(fresh=True)
        updated = reconciled(kept, wanted, self.clock.now())
        if updated == kept:
            return
        document = {name: v.model_dump(mode="json", exclude_none=True) for name, v in updated.items()}
        client("secretsmanager").put_secret_value(SecretId=self._id(), SecretString=json.dumps(document))
        with self._lock:
            self._read = (time.monotonic(), updated)

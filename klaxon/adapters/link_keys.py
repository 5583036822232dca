"""A rotatable signing secret in Secrets Manager: the link secret (acknowledge links, subscriber links and
calendar feeds) and the webhook secret (status page webhooks' secrets are derived from it).

CloudFormation generates it at deploy time as `{"current": "<64 characters>"}`; `rotate` writes
`{"current", "previous", "previous_until", "rotated_at"}`. Read once a minute per container, so a
rotation reaches every function within a minute; the previous value verifies through its grace period.

Deployments from before the secret moved here signed with `feed/secret` in the config table. That
value, if it exists, still verifies (never signs) until the first rotation, so calendar subscriptions
and unsubscribe links sent before the upgrade keep working.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from klaxon.adapters.aws import client
from klaxon.domain.access.rotation import SecretVersions
from klaxon.ports import Clock
from klaxon.settings import Settings

CACHE_SECONDS = 60.0


class SecretsManagerKeyring:
    def __init__(
        self,
        secret_id: str | None,
        clock: Clock,
        legacy: Callable[[], bytes | None] | None = None,
        setting: str = "link_secret",
    ) -> None:
        self.secret_id = secret_id
        self.setting = setting
        self.clock = clock
        self.legacy = legacy
        self._lock = threading.Lock()
        self._read: tuple[float, SecretVersions] | None = None

    def versions(self) -> SecretVersions:
        return self._versions()

    def _versions(self) -> SecretVersions:
        with self._lock:
            if self._read is None or time.monotonic() - self._read[0] >= CACHE_SECONDS:
                if not self.secret_id:
                    raise LookupError(f"{Settings.env_name(self.setting)} names no secret")
                value = client("secretsmanager").get_secret_value(SecretId=self.secret_id)["SecretString"]
                self._read = (time.monotonic(), SecretVersions.model_validate(json.loads(value)))
            return self._read[1]

    def current(self) -> bytes:
        return self._versions().current.encode()

    def accepted(self) -> list[bytes]:
        versions = self._versions()
        found = [value.encode() for value in versions.accepted(self.clock.now())]
        if versions.rotated_at is None and self.legacy is not None and (old := self.legacy()) is not None:
            found.append(old)
        return found

    def rotate(self, grace: timedelta) -> SecretVersions:
        with self._lock:
            self._read = None
        rotated = self._versions().rotated(secrets.token_urlsafe(48), self.clock.now(), grace)
        client("secretsmanager").put_secret_value(
            SecretId=self.secret_id, SecretString=rotated.model_dump_json(exclude_none=True)
        )
        with self._lock:
            self._read = (time.monotonic(), rotated)
        return rotated

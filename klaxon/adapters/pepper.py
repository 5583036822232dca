"""The pepper credentials (API tokens, integration and heartbeat keys) are digested under: a Secrets
Manager secret, read once per container."""

from __future__ import annotations

import functools
import hashlib
import hmac

from klaxon.adapters.aws import client
from klaxon.settings import Settings


class SecretsManagerPepper:
    """HMAC-SHA-256 under the secret `secret_id` (its SecretString, generated at deploy time).

    The pepper is never rotated: every stored token digest depends on it. A leaked config table alone
    then gives an attacker nothing to test guesses against."""

    def __init__(self, secret_id: str | None) -> None:
        self.secret_id = secret_id

    @functools.cached_property
    def _key(self) -> bytes:
        if not self.secret_id:
            name = Settings.env_name("pepper_secret")
            raise LookupError(f"{name} names no secret: API tokens and integration keys need it")
        value = client("secretsmanager").get_secret_value(SecretId=self.secret_id)["SecretString"]
        return str(value).encode()

    def digest(self, secret: str) -> str:
        return hmac.new(self._key, secret.encode(), hashlib.sha256).hexdigest()

"""Keys given in the clear or as their SHA-256: integrations and heartbeats take one of the two.

Only the hash is stored (`KlaxonConfig.stored()`), and the stored form loads back, which is why each
keyed model has both fields and checks that exactly one is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, Secret

from klaxon.config.problems import Problem
from klaxon.config.secrets import hash_key
from klaxon.config.values import IntegrationKey

KeyInTheClear = Annotated[
    IntegrationKey | None,
    Field(
        description="The secret the sender presents (16-256 URL-safe characters): the tool's integration "
        "key, the secret in a heartbeat's ping URL. Only its SHA-256 is stored. Give `key` or `key_hash`, "
        "not both.",
    ),
]
KeyHash = Annotated[
    str | None,
    Field(
        pattern=r"^[0-9a-f]{64}$",
        description="Hex SHA-256 of the key, as in the stored form, so a stored config loads back.",
    ),
]


class HashedKey:
    """For a model with `key: KeyInTheClear = None` and `key_hash: KeyHash = None`."""

    if TYPE_CHECKING:
        key: Secret[str] | None
        key_hash: str | None

    def hashed_key(self) -> str:
        """The key's SHA-256, whichever way it was given."""
        if self.key is not None:
            return hash_key(self.key.get_secret_value())
        assert self.key_hash is not None  # the validator guarantees one of the two
        return self.key_hash

    def key_given_as(self) -> str:
        """The field the key came in, for a problem about it (the key itself is never echoed)."""
        return "key" if self.key is not None else "key_hash"

    def key_problems(self, missing: str) -> list[Problem]:
        """Exactly one of `key` and `key_hash`; `missing` says what lacks it."""
        if self.key is not None and self.key_hash is not None:
            return [(("key_hash",), "give key or key_hash, not both")]
        if self.key is None and self.key_hash is None:
            return [((), missing)]
        return []

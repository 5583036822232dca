"""Keys given in the clear, as their SHA-256, or (stored) as a keyed digest: integrations and heartbeats.

A sender's key reaches storage only as `HMAC-SHA-256(pepper, SHA-256(key))` (`key_digest`): the CLI sends
the SHA-256 (`KlaxonConfig.stored()`), the platform applies the deployment's pepper
(`KlaxonConfig.persisted()`). A leaked config table then gives nothing to test a guessed key against, and
a config that names a key by its SHA-256 still works. What may be shown is `key_hint`: the key's prefix
and its last four characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, Secret

from klaxon.config.problems import Problem
from klaxon.config.secrets import hash_key, key_hint
from klaxon.config.values import IntegrationKey

KeyInTheClear = Annotated[
    IntegrationKey | None,
    Field(
        description="The secret the sender presents (16-256 URL-safe characters): the tool's integration "
        "key, the secret in a heartbeat's ping URL. Only a keyed digest of it is stored. Give `key` or "
        "`key_hash`, not both.",
    ),
]
KeyHash = Annotated[
    str | None,
    Field(
        pattern=r"^[0-9a-f]{64}$",
        description="Hex SHA-256 of the key, instead of the key itself (what `klaxon config apply` sends).",
    ),
]
KeyDigest = Annotated[
    str | None,
    Field(
        pattern=r"^[0-9a-f]{64}$",
        description="Set by Klaxon in the stored form: HMAC-SHA-256 of the key's SHA-256 under the "
        "deployment's pepper. Never shown.",
    ),
]
KeyHint = Annotated[
    str | None,
    Field(
        max_length=24,
        description="Set by Klaxon: the key's prefix and last four characters (`am-…9fQa`), to recognise it.",
    ),
]


class HashedKey:
    """For a model with `key`, `key_hash`, `key_digest` and `key_hint` fields."""

    if TYPE_CHECKING:
        key: Secret[str] | None
        key_hash: str | None
        key_digest: str | None
        key_hint: str | None

    def hashed_key(self) -> str | None:
        """The key's SHA-256, whichever way it was given; None in the stored form (only its digest)."""
        if self.key is not None:
            return hash_key(self.key.get_secret_value())
        return self.key_hash

    def digest(self, keyed: Callable[[str], str]) -> str:
        """What the key is stored and looked up by: `keyed` (the pepper's HMAC) of its SHA-256."""
        hashed = self.hashed_key()
        if hashed is None:
            assert self.key_digest is not None  # the validator guarantees one of the three
            return self.key_digest
        return keyed(hashed)

    def identity(self) -> str:
        """Equal for equal keys within one document (all given, or all stored): for uniqueness checks."""
        found = self.hashed_key() or self.key_digest
        assert found is not None
        return found

    def hint(self) -> str | None:
        """What may be shown of the key (`key_hint`); None when only its hash was ever given."""
        return key_hint(self.key.get_secret_value()) if self.key is not None else self.key_hint

    def key_given_as(self) -> str:
        """The field the key came in, for a problem about it (the key itself is never echoed)."""
        if self.key is not None:
            return "key"
        return "key_hash" if self.key_hash is not None else "key_digest"

    def key_problems(self, missing: str) -> list[Problem]:
        """Exactly one of `key`, `key_hash` and `key_digest`; `missing` says what lacks it."""
        given = [name for name in ("key", "key_hash", "key_digest") if getattr(self, name) is not None]
        if len(given) > 1:
            return [((given[1],), "give key or key_hash, not both")]
        if not given:
            return [((), missing)]
        return []

    def stored_key(self) -> dict[str, str]:
        """The key's fields as `klaxon config apply` sends them: its SHA-256 and its hint, never the key."""
        hashed, hint = self.hashed_key(), self.hint()
        if hashed is None:  # a configuration as the platform keeps it: its digest is all there is
            assert self.key_digest is not None
            found = {"key_digest": self.key_digest}
        else:
            found = {"key_hash": hashed}
        return found | ({"key_hint": hint} if hint else {})


KEY_FIELDS = ("key", "key_hash", "key_digest")


def with_kept_credentials(document: Any, stored: Mapping[str, Any] | None, secrets: Mapping[str, str]) -> Any:
    """`document` (a `PUT /v1/config` body) where an integration or heartbeat that names no key keeps the
    key the `stored` document has under its id, and an integration with no `secret` field at all keeps its
    current signing secret (`secrets`); `"secret": null` removes it. What `GET /v1/config` shows, which
    holds neither, can so be edited and put back without turning signature checks off."""
    if not isinstance(document, dict):
        return document
    filled = dict(document)
    for section in ("integrations", "heartbeats"):
        items = document.get(section)
        if not isinstance(items, list):
            continue
        kept = {i["id"]: i for i in (stored or {}).get(section, []) if isinstance(i, dict) and "id" in i}
        filled[section] = [_kept(item, kept, secrets if section == "integrations" else {}) for item in items]
    return filled


def _kept(item: Any, stored: Mapping[str, Any], secrets: Mapping[str, str]) -> Any:
    item_id = item.get("id") if isinstance(item, dict) else None
    if not isinstance(item_id, str):
        return item  # validation says what is wrong with it
    found = dict(item)
    if not any(field in item for field in KEY_FIELDS) and item_id in stored:
        found.update({f: stored[item_id][f] for f in KEY_FIELDS[1:] if f in stored[item_id]})
    if "secret" not in item and item_id in secrets:
        found["secret"] = secrets[item_id]
    return found

"""The applied configuration in DynamoDB: one document, plus integrations by key digest for O(1) lookup."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pynamodb.attributes import JSONAttribute
from pynamodb.transactions import TransactWrite

from klaxon.adapters.tables import ConfigItem, connection
from klaxon.adapters.timeutil import iso, parse_iso
from klaxon.adapters.transactions import commit_for_request
from klaxon.config.limits import limits_of
from klaxon.config.secrets import hash_key
from klaxon.domain.access.rate_limits import Limits
from klaxon.domain.errors import InvalidInput
from klaxon.domain.intake.integration import IntegrationRef

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig
    from klaxon.ports import Keyed

CACHE_SECONDS = 30.0
# DynamoDB's limits on the one transaction an apply is: items, their total size, and one item's size.
TRANSACTION_ITEMS = 100
TRANSACTION_BYTES = 4 * 1024 * 1024
ITEM_BYTES = 400 * 1024
_JSON = JSONAttribute()
_Source = TypeVar("_Source")
_Derived = TypeVar("_Derived")


class _PerDocument(Generic[_Source, _Derived]):
    """A value derived from a part of the cached document, derived again only when that part is another
    object (a new read), not on every call."""

    def __init__(self, derive: Callable[[_Source], _Derived]) -> None:
        self._derive = derive
        self._last: tuple[_Source, _Derived] | None = None

    def __call__(self, source: _Source) -> _Derived:
        last = self._last  # one read: another thread may replace it meanwhile
        if last is None or last[0] is not source:
            last = self._last = (source, self._derive(source))
        return last[1]


def _validated(doc: dict[str, Any]) -> KlaxonConfig:
    from klaxon.config.schema import KlaxonConfig

    return KlaxonConfig.model_validate(doc)


def _item_bytes(pk: str, sk: str, doc: Any) -> int:
    """The item's size as DynamoDB counts it: attribute names and values (`doc` as stored, JSON text)."""
    return len(f"pk{pk}sk{sk}doc".encode()) + len((_JSON.serialize(doc) or "").encode())


class DynamoDirectory:
    """Reads are cached for CACHE_SECONDS per container: config changes reach every function within that.
    Integrations are found by their key's digest under the pepper (`keyed`)."""

    def __init__(self, keyed: Keyed, cache_seconds: float = CACHE_SECONDS) -> None:
        self.keyed = keyed
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}
        self._model = _PerDocument(_validated)
        self._limits = _PerDocument(limits_of)

    def _get(self, pk: str, sk: str) -> Any:
        hit = self._cache.get((pk, sk))
        if hit and time.monotonic() - hit[0] < self.cache_seconds:
            return hit[1]
        try:
            doc = ConfigItem.get(pk, sk).doc
        except ConfigItem.DoesNotExist:
            doc = None
        self._cache[(pk, sk)] = (time.monotonic(), doc)
        return doc

    def invalidate(self) -> None:
        self._cache.clear()

    def config_document(self) -> dict[str, Any] | None:
        doc = self._get("config", "current")
        return doc if isinstance(doc, dict) else None

    def config(self) -> KlaxonConfig | None:
        """The applied configuration as a model, validated once per cached document."""
        doc = self.config_document()
        return None if doc is None else self._model(doc)

    def rate_limits(self) -> Limits:
        """The applied configuration's rate limits (the defaults without them), read from its `rate_limits`
        alone: ingest and the api check them on every request, and a cold container that validated the
        whole configuration for them (importing its schema, compiling every template) paid it before its
        first answer. The document was validated whole when it was applied."""
        doc = self.config_document()
        return self._limits(doc.get("rate_limits") if doc is not None else None)

    def integration_for_key(self, key: str) -> IntegrationRef | None:
        hashed = hash_key(key)
        # Until a configuration is applied by this version, integrations are stored under the plain SHA-256.
        doc = self._get("integration", self.keyed.digest(hashed)) or self._get("integration", hashed)
        return IntegrationRef.model_validate(doc) if doc else None

    def services(self) -> frozenset[str]:
        doc = self.config_document() or {}
        return frozenset(s["id"] for s in doc.get("services", []))

    def introductions(self) -> dict[str, datetime]:
        """When each named thing of the configuration first appeared (`config`/`introduced`)."""
        doc = self._get("config", "introduced")
        if not isinstance(doc, dict):
            return {}
        return {key: at for key, value in doc.items() if (at := parse_iso(value)) is not None}

    def check_fits(
        self,
        document: dict[str, Any],
        integrations: dict[str, IntegrationRef],
        introductions: Mapping[str, datetime] | None = None,
    ) -> None:
        """Refuse (400) a configuration the one transaction of `apply` cannot write, saying which limit."""
        stale = {item.sk for item in ConfigItem.query("integration")} - set(integrations)
        sizes = {"the configuration document": _item_bytes("config", "current", document)}
        if introductions is not None:
            times = {key: iso(at) for key, at in introductions.items()}
            sizes["the introduction times"] = _item_bytes("config", "introduced", times)
        for key_hash, ref in integrations.items():
            sizes[f"integration {ref.id!r}"] = _item_bytes("integration", key_hash, ref.model_dump())
        items = len(sizes) + len(stale)
        errors = [
            f"{what} is {size:,} bytes stored; a DynamoDB item holds at most {ITEM_BYTES:,} bytes (400 KB)"
            for what, size in sizes.items()
            if size > ITEM_BYTES
        ]
        if items > TRANSACTION_ITEMS:
            errors.append(
                f"applying it writes {items} items ({len(integrations)} integrations, {len(stale)} removed, "
                f"{len(sizes) - len(integrations)} documents); one apply writes at most {TRANSACTION_ITEMS}"
            )
        total = sum(sizes.values())
        if total > TRANSACTION_BYTES:
            errors.append(
                f"applying it writes {total:,} bytes; one apply writes at most {TRANSACTION_BYTES:,}"
            )
        if errors:
            raise InvalidInput("the configuration is too large to apply", errors)

    def apply(
        self,
        document: dict[str, Any],
        integrations: dict[str, IntegrationRef],
        introductions: Mapping[str, datetime] | None = None,
    ) -> None:
        """Store the config document, the integrations keyed by key digest and the introduction times, in
        one transaction; drop integrations now gone (and any stored under a plain SHA-256 before)."""
        stale = {item.sk for item in ConfigItem.query("integration")} - set(integrations)

        def write(tx: TransactWrite) -> None:
            tx.save(ConfigItem(pk="config", sk="current", doc=document))
            if introductions is not None:
                times = {key: iso(at) for key, at in introductions.items()}
                tx.save(ConfigItem(pk="config", sk="introduced", doc=times))
            for key_hash, ref in integrations.items():
                tx.save(ConfigItem(pk="integration", sk=key_hash, doc=ref.model_dump()))
            for key_hash in stale:
                tx.delete(ConfigItem(pk="integration", sk=key_hash))

        # Contention (a timer's write to an item in progress) is tried again; what stays is Busy (a 503).
        commit_for_request(connection(), write)
        self.invalidate()

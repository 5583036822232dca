"""API token use cases: create one (its secret shown once), list, revoke, and find who a secret is."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import Field

from klaxon.domain.access.roles import Role
from klaxon.domain.access.tokens import SECRET_PREFIX, TokenRecord, expiry, hint
from klaxon.domain.errors import InvalidInput, NotFound
from klaxon.domain.model import Model
from klaxon.ports import ApiPrincipal, Clock, IdGenerator, Keyed, TokenStore


class NewToken(Model):
    """A token to create. The secret is in the answer, once; only its keyed digest is stored."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
    role: Role
    services: list[str] = Field(
        default_factory=list, max_length=50, description="Services it may act on; empty or absent: all"
    )
    expires_in_days: int | None = Field(
        default=None, ge=1, le=365, description="Days until it stops working: 90 when absent, 365 at most"
    )
    user: str | None = Field(default=None, max_length=64, description="The person it acts for, if one")


class CreatedToken(Model):
    token: TokenRecord
    secret: str = Field(description="The token itself: shown this once, never again")


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


@dataclass
class TokenService:
    store: TokenStore
    keyed: Keyed
    clock: Clock
    ids: IdGenerator
    services: Callable[[], frozenset[str]]
    make_secret: Callable[[], str] = new_secret

    def ensure(self, secret: str, new: NewToken, created_by: str) -> TokenRecord:
        """The token `secret` as `new` says, made anew if it is missing or expired: for the local
        platform's fixed development token, which must survive restarts on its data folder."""
        found = self.store.find(self.keyed.digest(secret))
        if found is not None and found.live(self.clock.now()):
            return found
        if found is not None:
            self.store.remove(found.id)
        return self.create(new, created_by, secret=secret).token

    def create(self, new: NewToken, created_by: str, secret: str | None = None) -> CreatedToken:
        """A new token; a given `secret` is for `ensure` only."""
        unknown = sorted(set(new.services) - self.services())
        if unknown:
            raise InvalidInput(f"unknown services: {', '.join(unknown)}")
        now = self.clock.now()
        secret = secret or self.make_secret()
        record = TokenRecord(
            id=self.ids.new_id(),
            name=new.name,
            role=new.role,
            services=tuple(sorted(set(new.services))),
            user=new.user,
            created_at=now,
            created_by=created_by,
            expires_at=expiry(now, new.expires_in_days),
            hint=hint(secret),
        )
        self.store.add(record, self.keyed.digest(secret))
        return CreatedToken(token=record, secret=secret)

    def list(self) -> list[TokenRecord]:
        return sorted(self.store.all(), key=lambda record: (record.name, record.created_at))

    def revoke(self, token_id: str) -> TokenRecord:
        """Delete the token: the next request with it, in any container, is refused."""
        removed = self.store.remove(token_id)
        if removed is None:
            raise NotFound(f"token {token_id} not found")
        return removed

    def principal(self, secret: str) -> ApiPrincipal | None:
        """Who presents `secret`: None for an unknown, revoked or expired token."""
        digest = self.keyed.digest(secret)
        record = self.store.find(digest)
        now = self.clock.now()
        if record is None or not record.live(now):
            return None
        if record.due_for_touch(now):
            self.store.touch(digest, now)
        return ApiPrincipal(
            name=record.name, user=record.user, role=record.role, services=record.services, token_id=record.id
        )

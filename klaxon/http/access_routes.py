"""Access routes of the API function: API tokens (create, list, revoke), signing secrets (rotate) and the
audit log. Admin only
(klaxon/topology.py API_ROLES)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from klaxon.domain.access.audit import AuditRecord
from klaxon.domain.access.tokens import TokenRecord
from klaxon.domain.instants import LaxInstant
from klaxon.domain.model import Model
from klaxon.http import auth, deps
from klaxon.services.access.secrets import Rotation, SecretStatus
from klaxon.services.access.tokens import CreatedToken, NewToken

router = Router()


class TokenList(Model):
    tokens: list[TokenRecord]


class AuditList(Model):
    records: list[AuditRecord]


@router.post(
    "/v1/tokens",
    tags=["access"],
    summary="Create an API token: its secret is in this answer and nowhere else, ever",
    status_code=201,
)
def handle_create_token(tokens: deps.Tokens, new: Annotated[NewToken, Body()]) -> CreatedToken:
    return tokens.create(new, created_by=auth.principal(router).actor)


@router.get("/v1/tokens", tags=["access"], summary="Every API token: name, role, scope, expiry, last use")
def handle_list_tokens(tokens: deps.Tokens) -> TokenList:
    return TokenList(tokens=tokens.list())


@router.delete(
    "/v1/tokens/<token_id>",
    tags=["access"],
    summary="Revoke an API token: the next request with it is refused, in every function",
)
def handle_revoke_token(tokens: deps.Tokens, token_id: str) -> TokenRecord:
    return tokens.revoke(token_id)


class SecretList(Model):
    secrets: list[SecretStatus]


@router.get(
    "/v1/secrets", tags=["access"], summary="The signing secrets Klaxon rotates, and when (never values)"
)
def handle_list_secrets(secrets: deps.Secrets) -> SecretList:
    return SecretList(secrets=secrets.list())


@router.post(
    "/v1/secrets/<name>/rotate",
    tags=["access"],
    summary="Rotate a signing secret: the new one signs at once, the old one verifies for the grace period",
)
def handle_rotate_secret(
    secrets: deps.Secrets, name: str, rotation: Annotated[Rotation | None, Body()] = None
) -> SecretStatus:
    return secrets.rotate(name, rotation or Rotation())


@router.get(
    "/v1/audit",
    tags=["access"],
    summary="Audit records of every change made through the API, newest first",
)
def handle_list_audit(
    audit: deps.Audit,
    actor: Annotated[
        str | None, Query(max_length=128, description="`token:<name>`, `user:<id>` or a token name")
    ] = None,
    target: Annotated[str | None, Query(max_length=256, description="an id (and what is under it)")] = None,
    since: Annotated[LaxInstant | None, Query(description="from (default: 30 days before `until`)")] = None,
    until: Annotated[LaxInstant | None, Query(description="before (default: now)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditList:
    return AuditList(records=audit.find(actor=actor, target=target, since=since, until=until, limit=limit))

"""The four roles an API token can have, and which of them may call a route that needs a given one.

`admin` manages configuration, tokens, secrets and the audit log; `responder` works incidents (acks,
status updates, overrides, maintenance); `observer` only reads; `integration` only sends alerts. The
first three nest (an admin may do what a responder may, a responder what an observer may); an
integration token is outside that line and reaches no route that needs any of them.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    RESPONDER = "responder"
    OBSERVER = "observer"
    INTEGRATION = "integration"


_LINE = (Role.OBSERVER, Role.RESPONDER, Role.ADMIN)


def permits(role: Role, needed: Role) -> bool:
    """Whether a token of `role` may call a route that needs `needed`."""
    if role is Role.INTEGRATION or needed is Role.INTEGRATION:
        return role is needed
    return _LINE.index(role) >= _LINE.index(needed)

"""What the places post-mortems are published to share: their failure (unreachable, refused, an answer
that is no JSON object), raised as PublishFailed naming the place, the call and what came back."""

from __future__ import annotations

from typing import Any

import httpx

from klaxon.domain.errors import DomainError


class PublishFailed(DomainError):
    """A place refused a step or could not be reached: the publish is retried."""


def json_call(client: httpx.Client, name: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """The JSON object `name` answers `method path` with (200), or PublishFailed."""
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as error:
        raise PublishFailed(f"{name} could not be reached ({method} {path}): {error}") from error
    if response.status_code != 200:
        raise PublishFailed(
            f"{name} answered {method} {path} with {response.status_code}: {response.text[:300]}"
        )
    try:
        answer = response.json()
    except ValueError as error:
        raise PublishFailed(f"{name} answered {method} {path} with no JSON") from error
    if not isinstance(answer, dict):
        raise PublishFailed(f"{name} answered {method} {path} with {type(answer).__name__}")
    return answer

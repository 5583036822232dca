"""Domain errors; adapters translate AWS errors into these and handlers map them to HTTP once."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain and services raise on purpose."""


class InvalidInput(DomainError):
    """The caller sent something malformed; `errors` lists each problem in words."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or [message]


class PayloadTooLarge(InvalidInput):
    """The body is over the documented size limit."""


class UnsupportedMediaType(InvalidInput):
    """The body is not of a type the route reads (the API reads JSON only)."""


class Unauthorized(DomainError):
    """The credential (API token or integration key) is missing or unknown."""


class Forbidden(DomainError):
    """The credential is good but its role or service scope does not cover what was asked."""


class NotFound(DomainError):
    """The thing asked for does not exist."""


class Conflict(DomainError):
    """A conditional write lost: the state changed under us."""


class RetryLater(DomainError):
    """The same request may succeed if sent again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class Busy(RetryLater):
    """Other writes to what this changes kept it from being written (the API's 503)."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message, retry_after)


class TooManyRequests(RetryLater):
    """The caller (an API token, an integration key, a heartbeat) is over its rate limit (the API's 429)."""

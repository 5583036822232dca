"""Value rules shared by the schema and the cross-reference checks: ids, time zones, emails, keys."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Secret, StringConstraints

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")  # a Slack member id
_URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")


def check_id(value: str) -> str:
    """Ids are lowercase so `Alice` and `alice` cannot both exist, and URL-safe because URLs carry them."""
    if not _ID.match(value):
        raise ValueError(f"{value!r} is not a valid id: use 1-64 lowercase letters, digits, '.', '-' or '_'")
    return value


def check_time_zone(value: str) -> str:
    """An IANA time zone name such as America/New_York."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as America/New_York") from None
    return value


def check_email(value: str) -> str:
    """Something@domain.tld: a sanity check, not RFC 5322; delivery is the real test."""
    if not EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _check_url_safe(value: str) -> str:
    # Tools that cannot set headers send the key as the last URL path segment.
    if not _URL_SAFE.match(value):
        raise ValueError("keys may use only letters, digits and '.', '_', '~', '-' (they can appear in URLs)")
    return value


Id = Annotated[str, AfterValidator(check_id)]
TimeZone = Annotated[str, AfterValidator(check_time_zone)]
Email = Annotated[str, AfterValidator(check_email)]
# Secret keeps keys out of repr, logs and JSON dumps; only stored() reads the plaintext, to hash it.
IntegrationKey = Secret[
    Annotated[str, StringConstraints(min_length=16, max_length=256), AfterValidator(_check_url_safe)]
]
SigningSecret = Secret[Annotated[str, StringConstraints(min_length=16, max_length=256)]]

"""Rotating a signing secret: the new one signs, the old one verifies through its grace period only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from klaxon.domain.access.rotation import SecretVersions, verified
from klaxon.domain.errors import InvalidInput
from klaxon.domain.paging.ackcodes import (
    AckLink,
    AckLinkExpired,
    AckLinkInvalid,
    make_ack_token,
    read_ack_token,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
OLD, NEW = "o" * 40, "n" * 40


def test_the_old_secret_verifies_until_its_grace_ends():
    rotated = SecretVersions(current=OLD).rotated(NEW, NOW, timedelta(hours=24))
    assert rotated.current == NEW and rotated.rotated_at == NOW
    assert rotated.accepted(NOW + timedelta(hours=23)) == [NEW, OLD]
    assert rotated.accepted(NOW + timedelta(hours=24)) == [NEW]


def test_a_second_rotation_forgets_the_first_value():
    twice = SecretVersions(current=OLD).rotated(NEW, NOW).rotated("t" * 40, NOW + timedelta(hours=1))
    assert OLD not in twice.accepted(NOW + timedelta(hours=1))


def test_the_grace_period_is_bounded():
    with pytest.raises(InvalidInput):
        SecretVersions(current=OLD).rotated(NEW, NOW, timedelta(days=8))


def _link(expires: datetime) -> AckLink:
    return AckLink(incident_id="i1", user="alice", expires_at=expires)


def test_a_link_signed_by_the_old_secret_reads_under_the_keyring():
    token = make_ack_token(OLD.encode(), _link(NOW + timedelta(hours=1)))

    def read(key: bytes) -> AckLink:
        return read_ack_token(key, token, NOW)

    found = verified([NEW.encode(), OLD.encode()], read, AckLinkInvalid, AckLinkExpired)
    assert found.incident_id == "i1"
    with pytest.raises(AckLinkInvalid):
        verified([NEW.encode()], read, AckLinkInvalid, AckLinkExpired)


def test_an_expired_link_is_expired_under_whichever_secret_signed_it():
    token = make_ack_token(OLD.encode(), _link(NOW - timedelta(minutes=1)))
    with pytest.raises(AckLinkExpired):
        verified(
            [NEW.encode(), OLD.encode()],
            lambda key: read_ack_token(key, token, NOW),
            AckLinkInvalid,
            AckLinkExpired,
        )

"""Single-entity rules of the schema: contact methods, notification rules and integration shapes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from klaxon.config import ContactMethod, Integration, User
from klaxon.domain.paging.policy import Channel

KEY = "KLAXON-TEST-KEY-0000000000000001"


def _user(**changes: Any) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": "ada",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "time_zone": "Europe/London",
        "contact_methods": [
            {"type": "push", "address": "ada-phone"},
            {"type": "sms", "address": "+447700900123"},
        ],
    }
    return user | changes


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[tuple[str | int, ...], str]]:
    return [(tuple(e["loc"]), e["msg"]) for e in error.value.errors()]


@pytest.mark.parametrize("address", ["5550101001", "+1 555 010 1001", "+0123456789"])
def test_an_sms_address_must_be_an_e164_number(address: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ContactMethod(type=Channel.SMS, address=address)

    assert _messages(raised)[0][0] == ("address",)


def test_an_email_contact_method_needs_an_email_address() -> None:
    with pytest.raises(ValidationError) as raised:
        ContactMethod(type=Channel.EMAIL, address="ada at example")

    assert _messages(raised) == [(("address",), "'ada at example' is not an email address")]


def test_a_user_in_an_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        User.model_validate(_user(time_zone="Mars/Olympus_Mons"))

    assert _messages(raised)[0][0] == ("time_zone",)


def test_a_user_id_must_be_lowercase() -> None:
    with pytest.raises(ValidationError) as raised:
        User.model_validate(_user(id="Ada"))

    assert _messages(raised)[0][0] == ("id",)


def test_without_notification_rules_a_user_gets_the_default_for_their_channels() -> None:
    user = User.model_validate(_user())

    assert [(r.channel, r.delay_minutes) for r in user.effective_notification_rules()] == [
        (Channel.PUSH, 0),
        (Channel.SMS, 1),
    ]


def test_a_users_own_notification_rules_replace_the_default() -> None:
    user = User.model_validate(_user(notification_rules=[{"channel": "sms", "delay_minutes": 0}]))

    assert [(r.channel, r.delay_minutes) for r in user.effective_notification_rules()] == [(Channel.SMS, 0)]


def test_a_notification_rule_needs_a_contact_method_for_its_channel() -> None:
    with pytest.raises(ValidationError) as raised:
        User.model_validate(_user(notification_rules=[{"channel": "voice", "delay_minutes": 5}]))

    assert _messages(raised) == [(("notification_rules", 0, "channel"), "ada has no voice contact method")]


def test_an_integration_key_shorter_than_16_characters_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        Integration.model_validate({"id": "x", "kind": "generic", "key": "too-short", "service": "web"})

    assert _messages(raised) == [(("key",), "String should have at least 16 characters")]


def test_an_integration_takes_key_or_key_hash_not_both() -> None:
    with pytest.raises(ValidationError) as raised:
        Integration.model_validate(
            {"id": "x", "kind": "generic", "key": KEY, "key_hash": "0" * 64, "service": "web"}
        )

    assert _messages(raised) == [(("key_hash",), "give key or key_hash, not both")]


def test_an_integration_routes_by_service_or_by_label_not_both() -> None:
    with pytest.raises(ValidationError) as raised:
        Integration.model_validate(
            {"id": "x", "kind": "alertmanager", "key": KEY, "service": "web", "service_label": "service"}
        )

    assert _messages(raised) == [(("service_label",), "route by service or by service_label, not both")]


def test_label_routing_needs_a_default_service() -> None:
    with pytest.raises(ValidationError) as raised:
        Integration.model_validate(
            {"id": "x", "kind": "alertmanager", "key": KEY, "service_label": "service"}
        )

    assert _messages(raised) == [
        (("service_label",), "service_label needs a default_service for other alerts")
    ]


def test_a_rejected_key_is_not_echoed_in_the_validation_error() -> None:
    with pytest.raises(ValidationError) as raised:
        Integration.model_validate({"id": "x", "kind": "generic", "key": "s3cr3t key!", "service": "web"})

    assert "s3cr3t" not in str(raised.value)


def test_an_integration_key_does_not_show_in_its_repr() -> None:
    integration = Integration.model_validate({"id": "x", "kind": "generic", "key": KEY, "service": "web"})

    assert KEY not in repr(integration)

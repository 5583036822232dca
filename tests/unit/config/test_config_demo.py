"""The demo organisation in examples/acme.yaml loads and has exactly the documented structure."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from klaxon.config import KlaxonConfig, hash_key, load_config
from klaxon.domain.paging.policy import Channel, Target


@pytest.fixture
def acme(acme_path: Path) -> KlaxonConfig:
    return load_config(acme_path)


def test_demo_has_seven_users_with_their_roles(acme: KlaxonConfig) -> None:
    roles = {user.id: user.role for user in acme.users}

    assert roles == {
        "alice": "Software Engineer",
        "bob": "Software Engineer",
        "carol": "Software Engineer",
        "dave": "Software Engineer",
        "erin": "Software Engineer",
        "frank": "Engineering Manager",
        "grace": "VP Engineering",
    }


def test_every_demo_user_has_push_sms_voice_and_email(acme: KlaxonConfig) -> None:
    for user in acme.users:
        assert [method.type for method in user.contact_methods] == [
            Channel.PUSH,
            Channel.SMS,
            Channel.VOICE,
            Channel.EMAIL,
        ]


def test_demo_phone_numbers_are_e164_in_the_fictional_555_010_range(acme: KlaxonConfig) -> None:
    phones = [
        m.address for u in acme.users for m in u.contact_methods if m.type in (Channel.SMS, Channel.VOICE)
    ]

    assert len(phones) == 14
    assert all(re.fullmatch(r"\+1555010\d{4}", phone) for phone in phones)


def test_demo_emails_are_at_acme_example(acme: KlaxonConfig) -> None:
    assert all(user.email == f"{user.id}@acme.example" for user in acme.users)


def test_demo_users_are_mostly_in_new_york(acme: KlaxonConfig) -> None:
    in_new_york = [user.id for user in acme.users if user.time_zone == "America/New_York"]

    assert len(in_new_york) > len(acme.users) / 2


def test_demo_primary_rotates_alice_bob_carol_weekly_from_monday_5_january(acme: KlaxonConfig) -> None:
    (primary,) = [s for s in acme.schedules if s.id == "primary"]
    (layer,) = primary.layers

    assert layer.rotation.type == "weekly"
    assert layer.rotation.participants == ["alice", "bob", "carol"]
    assert layer.rotation.start == datetime(2026, 1, 5, 9, 0)
    assert layer.rotation.start.weekday() == 0
    assert layer.rotation.time_zone == primary.time_zone == "America/New_York"


def test_demo_secondary_rotates_dave_and_erin_with_the_same_hand_off(acme: KlaxonConfig) -> None:
    (secondary,) = [s for s in acme.schedules if s.id == "secondary"]
    (layer,) = secondary.layers

    assert layer.rotation.type == "weekly"
    assert layer.rotation.participants == ["dave", "erin"]
    assert layer.rotation.start == datetime(2026, 1, 5, 9, 0)
    assert layer.rotation.time_zone == "America/New_York"


def test_demo_policy_fires_at_0_5_10_15_and_30_minutes(acme: KlaxonConfig) -> None:
    (policy,) = acme.escalation_policies

    assert policy.id == "default"
    assert policy.step_offsets_minutes() == [0, 5, 10, 15, 30]
    assert [step.delay_minutes for step in policy.steps] == [5, 5, 5, 15, 0]


def test_demo_policy_pages_primary_then_secondary_then_calls_both_then_frank_then_grace(
    acme: KlaxonConfig,
) -> None:
    steps = acme.escalation_policies[0].steps

    assert [(step.targets, step.channels) for step in steps] == [
        ([Target(schedule="primary")], [Channel.PUSH, Channel.SMS]),
        ([Target(schedule="secondary")], [Channel.PUSH, Channel.SMS]),
        ([Target(schedule="primary"), Target(schedule="secondary")], [Channel.VOICE]),
        ([Target(user="frank")], None),
        ([Target(user="grace")], None),
    ]


def test_demo_services_all_use_the_default_policy_and_the_engineering_team(acme: KlaxonConfig) -> None:
    assert [(s.id, s.escalation_policy, s.team) for s in acme.services] == [
        ("checkout", "default", "engineering"),
        ("payments", "default", "engineering"),
        ("search", "default", "engineering"),
        ("platform", "default", "engineering"),
    ]


def test_demo_integrations_have_the_documented_kinds_keys_and_services(acme: KlaxonConfig) -> None:
    integrations = [
        (i.id, i.kind, i.hashed_key(), i.service, i.service_label, i.default_service)
        for i in acme.integrations
    ]

    assert integrations == [
        (
            "checkout-events",
            "pagerduty",
            hash_key("KLAXON-DEMO-CHECKOUT-KEY-0000001"),
            "checkout",
            None,
            None,
        ),
        (
            "payments-events",
            "pagerduty",
            hash_key("KLAXON-DEMO-PAYMENTS-KEY-0000001"),
            "payments",
            None,
            None,
        ),
        (
            "alertmanager",
            "alertmanager",
            hash_key("KLAXON-DEMO-ALERTMANAGER-KEY-001"),
            None,
            "service",
            "platform",
        ),
        ("grafana", "grafana", hash_key("KLAXON-DEMO-GRAFANA-KEY-00000001"), None, "service", "platform"),
        ("cloudwatch", "cloudwatch", hash_key("KLAXON-DEMO-CLOUDWATCH-KEY-00001"), "checkout", None, None),
        ("datadog", "datadog", hash_key("KLAXON-DEMO-DATADOG-KEY-00000001"), None, "service", "platform"),
        ("sentry", "sentry", hash_key("KLAXON-DEMO-SENTRY-KEY-000000001"), "checkout", None, None),
        ("generic", "generic", hash_key("KLAXON-DEMO-GENERIC-KEY-00000001"), "platform", None, None),
    ]


def test_demo_team_engineering_has_every_user(acme: KlaxonConfig) -> None:
    (team,) = acme.teams

    assert team.id == "engineering"
    assert team.members == [user.id for user in acme.users]

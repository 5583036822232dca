"""Every broken cross-reference is reported at its file, line and path."""

from __future__ import annotations

from collections.abc import Callable

Edit = Callable[[str, str], tuple[str, int]]
Errors = Callable[[str], list[str]]


def test_a_service_naming_an_unknown_policy_is_reported(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("escalation_policy: default", "escalation_policy: defualt")

    assert errors_of(text) == [
        f"acme.yaml:{line}: services[0].escalation_policy: "
        "no escalation policy 'defualt'; did you mean 'default'?"
    ]


def test_a_service_naming_an_unknown_team_is_reported(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("team: engineering", "team: sre")

    assert errors_of(text) == [f"acme.yaml:{line}: services[0].team: no team 'sre'; defined: engineering"]


def test_a_policy_step_naming_an_unknown_user_is_reported(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("{user: frank}", "{user: franck}")

    assert errors_of(text) == [
        f"acme.yaml:{line}: escalation_policies[0].steps[3].targets[0].user: "
        "no user 'franck'; did you mean 'frank'?"
    ]


def test_a_policy_step_naming_an_unknown_schedule_is_reported(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("[{schedule: secondary}]", "[{schedule: tertiary}]")

    assert errors_of(text) == [
        f"acme.yaml:{line}: escalation_policies[0].steps[1].targets[0].schedule: "
        "no schedule 'tertiary'; defined: primary, secondary"
    ]


def test_a_rotation_participant_who_is_not_a_user_is_reported(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("participants: [dave, erin]", "participants: [dave, eric]")

    assert errors_of(text) == [
        f"acme.yaml:{line}: schedules[1].layers[0].rotation.participants[1]: "
        "no user 'eric'; did you mean 'erin'?"
    ]


def test_a_team_member_who_is_not_a_user_is_reported(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("members: [alice,", "members: [zed, alice,")

    assert errors_of(text) == [
        f"acme.yaml:{line}: teams[0].members[0]: "
        "no user 'zed'; defined: alice, bob, carol, dave, erin, frank, grace"
    ]


def test_an_integration_naming_an_unknown_service_is_reported(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("service: payments", "service: payment")

    assert errors_of(text) == [
        f"acme.yaml:{line}: integrations[1].service: no service 'payment'; did you mean 'payments'?"
    ]


def test_an_integration_defaulting_to_an_unknown_service_is_reported(
    edit_acme: Edit, errors_of: Errors
) -> None:
    text, line = edit_acme("default_service: platform", "default_service: infra")

    assert errors_of(text) == [
        f"acme.yaml:{line}: integrations[2].default_service: "
        "no service 'infra'; defined: checkout, payments, search, platform"
    ]


def test_a_duplicate_service_id_is_reported_at_the_second_one(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("- id: search", "- id: checkout")
    text = text.replace("services: [search]", "services: [checkout]")  # the status page follows it too
    text = text.replace("        - search\n", "        - checkout\n")  # and the Linear tracker

    assert errors_of(text) == [
        f"acme.yaml:{line}: services[2].id: duplicate id 'checkout'; first defined at services[0]"
    ]


def test_two_integrations_with_one_key_are_reported_without_showing_the_key(
    edit_acme: Edit, errors_of: Errors
) -> None:
    text, line = edit_acme("key: KLAXON-DEMO-PAYMENTS-KEY-0000001", "key: KLAXON-DEMO-CHECKOUT-KEY-0000001")

    assert errors_of(text) == [
        f"acme.yaml:{line}: integrations[1].key: same key as integration 'checkout-events'"
    ]


def test_a_key_given_as_its_hash_still_counts_as_a_duplicate(edit_acme: Edit, errors_of: Errors) -> None:
    from klaxon.config import hash_key

    digest = hash_key("KLAXON-DEMO-CHECKOUT-KEY-0000001")
    text, line = edit_acme("key: KLAXON-DEMO-PAYMENTS-KEY-0000001", f"key_hash: {digest}")

    assert errors_of(text) == [
        f"acme.yaml:{line}: integrations[1].key_hash: same key as integration 'checkout-events'"
    ]


def test_a_schedule_in_an_unknown_time_zone_is_reported(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme(
        "    time_zone: America/New_York\n    layers:", "    time_zone: US/Nowhere\n    layers:"
    )

    assert errors_of(text) == [
        f"acme.yaml:{line}: schedules[0].time_zone: "
        "unknown time zone 'US/Nowhere'; use an IANA name such as America/New_York"
    ]


def test_every_broken_reference_is_reported_at_once_in_line_order(edit_acme: Edit, errors_of: Errors) -> None:
    text, _ = edit_acme("{user: frank}", "{user: nobody}")
    text = text.replace("members: [alice,", "members: [nobody, alice,")

    errors = errors_of(text)

    assert [error.split(": ")[1] for error in errors] == [
        "teams[0].members[0]",
        "escalation_policies[0].steps[3].targets[0].user",
    ]

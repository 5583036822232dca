"""Reading a config file: YAML problems, shape problems and their FILE:LINE: path: reason lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest

from klaxon.config import ConfigError, load_config, parse_config
from klaxon.domain.errors import InvalidInput

Edit = Callable[[str, str], tuple[str, int]]
Errors = Callable[[str], list[str]]
SECTIONS = (
    "users, teams, services, integrations, schedules, escalation_policies, statuspage, "
    "maintenance_windows, inhibition_rules, heartbeats, runbooks, chat, postmortems, slos, customers, "
    "sla_alerts, rate_limits"
)


def test_a_yaml_syntax_error_gives_its_file_and_line(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("    name: Engineering\n", "    name: [Engineering\n")

    (error,) = errors_of(text)

    assert error.startswith(f"acme.yaml:{line + 1}: invalid YAML: ")


def test_an_unknown_key_is_reported_with_the_key_it_probably_meant(
    edit_acme: Edit, errors_of: Errors
) -> None:
    text, line = edit_acme("    email: bob@acme.example", "    emial: bob@acme.example")

    assert f"acme.yaml:{line}: users[1].emial: unknown key 'emial'; did you mean 'email'?" in errors_of(text)


def test_an_unknown_key_unlike_any_field_lists_the_fields(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("    members: [", "    colour: blue\n    members: [")

    assert errors_of(text) == [
        f"acme.yaml:{line}: teams[0].colour: unknown key 'colour'; expected one of: id, name, members"
    ]


def test_an_unknown_section_is_reported(errors_of: Errors, acme_text: str) -> None:
    errors = errors_of(acme_text + "sevrices: []\n")

    assert errors == [
        f"acme.yaml:{acme_text.count(chr(10)) + 1}: sevrices: "
        "unknown key 'sevrices'; did you mean 'services'?"
    ]


def test_a_missing_field_is_reported_at_its_parent(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("    name: Engineering\n", "")

    assert errors_of(text) == [f"acme.yaml:{line - 1}: teams[0].name: required field is missing"]


def test_a_value_of_the_wrong_kind_is_reported_at_the_value(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme("delay_minutes: 15", "delay_minutes: soon")

    assert errors_of(text) == [
        f"acme.yaml:{line}: escalation_policies[0].steps[3].delay_minutes: "
        "Input should be a valid integer, unable to parse string as an integer"
    ]


def test_a_duplicate_yaml_key_is_an_error_rather_than_last_one_wins(
    edit_acme: Edit, errors_of: Errors
) -> None:
    text, line = edit_acme("    name: Engineering\n", "    name: Engineering\n    name: Platform\n")

    assert errors_of(text) == [
        f"acme.yaml:{line + 1}: teams[0].name: duplicate key 'name' (first at line {line})"
    ]


def test_an_empty_file_is_reported(errors_of: Errors) -> None:
    assert errors_of("") == [f"acme.yaml:1: (top level): the file is empty; expected sections: {SECTIONS}"]


def test_a_file_of_only_comments_counts_as_empty(errors_of: Errors) -> None:
    assert errors_of("# nothing yet\n") == [
        f"acme.yaml:1: (top level): the file is empty; expected sections: {SECTIONS}"
    ]


def test_a_top_level_list_is_reported(errors_of: Errors) -> None:
    assert errors_of("\n- alice\n- bob\n") == [
        f"acme.yaml:2: (top level): expected a mapping of sections ({SECTIONS}), got a list"
    ]


def test_a_config_without_users_is_reported(errors_of: Errors) -> None:
    assert errors_of("users: []\n") == ["acme.yaml:1: users: needs at least 1 item"]


def test_two_yaml_documents_in_one_file_are_reported(errors_of: Errors, acme_text: str) -> None:
    (error,) = errors_of(acme_text + "---\nusers: []\n")

    assert error.startswith(f"acme.yaml:{acme_text.count(chr(10)) + 1}: invalid YAML: ")
    assert "single document" in error


def test_an_unquoted_phone_number_is_reported_with_the_fix(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme('address: "+15550101002"', "address: +15550101002")

    assert errors_of(text) == [
        f'acme.yaml:{line}: users[1].contact_methods[1].address: quote phone numbers: "+15550101002" '
        "(unquoted, YAML reads a number)"
    ]


def test_a_restriction_time_like_17_30_is_read_as_a_time(edit_acme: Edit) -> None:
    restricted = "        restrictions:\n          - {start: 08:00, end: 17:30}\n  - id: secondary"
    text, _ = edit_acme("  - id: secondary", restricted)

    config = parse_config(text, "acme.yaml")

    restriction = config.schedules[0].layers[0].restrictions[0]
    assert (restriction.start, restriction.end) == (time(8, 0), time(17, 30))


def test_yes_and_no_stay_text(edit_acme: Edit) -> None:
    text, _ = edit_acme("label: Klaxon app", "label: no")

    config = parse_config(text, "acme.yaml")

    assert config.users[0].contact_methods[0].label == "no"


def test_a_config_error_is_invalid_input_with_a_count(edit_acme: Edit) -> None:
    text, _ = edit_acme("team: engineering", "team: sre")

    with pytest.raises(InvalidInput) as raised:
        parse_config(text, "acme.yaml")

    assert isinstance(raised.value, ConfigError)
    assert raised.value.message == "acme.yaml: 1 problem in the Klaxon config"


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"

    with pytest.raises(ConfigError) as raised:
        load_config(missing)

    assert raised.value.errors == [f"{missing}: cannot read the file: No such file or directory"]


def test_errors_from_a_file_name_that_file(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("users:\n  - id: Alice\n", encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        load_config(path)

    assert all(error.startswith(f"{path}:2: users[0]") for error in raised.value.errors)

"""docs/configuration.md is generated from the schema and must not drift from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from klaxon.config import parse_config
from klaxon.config.reference import EXAMPLE, ReferenceOutOfDate, check_reference_up_to_date, describe, models


def test_the_configuration_reference_is_up_to_date() -> None:
    check_reference_up_to_date()


def test_a_stale_reference_is_caught(tmp_path: Path) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("# old\n", encoding="utf-8")

    with pytest.raises(ReferenceOutOfDate, match=r"python -m klaxon\.config\.reference"):
        check_reference_up_to_date(stale)


def test_every_config_field_has_a_description() -> None:
    undescribed = [
        f"{model.__name__}.{name}"
        for model in models()
        for name, field in model.model_fields.items()
        if not describe(model, name, field)
    ]

    assert undescribed == []


def test_the_worked_example_in_the_reference_is_a_valid_config() -> None:
    config = parse_config(EXAMPLE, "example.yaml")

    assert [service.id for service in config.services] == ["website"]

"""The `statuspage` config section: the demo's components, and mistakes reported where they are."""

from __future__ import annotations

import pytest

from klaxon.config import ConfigError, parse_config
from klaxon.config.loader import load_config
from tests.conftest import DEMO_CONFIG

DEMO_TEXT = DEMO_CONFIG.read_text(encoding="utf-8")


def errors_after(old: str, new: str) -> list[str]:
    assert old in DEMO_TEXT
    with pytest.raises(ConfigError) as raised:
        parse_config(DEMO_TEXT.replace(old, new, 1), "acme.yaml")
    return raised.value.errors


def test_the_demo_shows_checkout_payments_search_and_api():
    page = load_config(DEMO_CONFIG).statuspage
    assert [c.name for c in page.components] == ["Checkout", "Payments", "Search", "API"]


def test_in_the_demo_platform_incidents_move_the_api_component():
    assert load_config(DEMO_CONFIG).statuspage.components_of("platform") == ["api"]


def test_a_component_following_an_unknown_service_is_an_error_at_its_line():
    (error,) = errors_after("services: [search]", "services: [serach]")
    assert "statuspage.components[2].services[0]: no service 'serach'; did you mean 'search'?" in error


def test_a_misspelt_placeholder_is_an_error_naming_the_known_ones():
    (error,) = errors_after(
        "  groups:\n", "  templates:\n    resolved: Fixed {afected_service}.\n  groups:\n"
    )
    expected = "unknown placeholder {afected_service}; did you mean {affected_service}?"
    assert f"statuspage.templates.resolved: {expected}" in error


def test_a_component_in_an_unknown_group_is_an_error():
    (error,) = errors_after(
        "group: storefront\n      services: [payments]", "group: shop\n      services: [payments]"
    )
    assert "statuspage.components[1].group: no component group 'shop'" in error


def test_a_maintenance_window_must_end_after_it_starts():
    window = (
        "  maintenances:\n    - {id: db, name: DB, components: [payments], "
        "start: '2026-12-05T04:00:00Z', end: '2026-12-05T02:00:00Z'}\n  groups:\n"
    )
    (error,) = errors_after("  groups:\n", window)
    assert "statuspage.maintenances[0].end: a maintenance window ends after it starts" in error


def test_a_maintenance_window_of_an_unknown_component_is_an_error():
    window = (
        "  maintenances:\n    - {id: db, name: DB, components: [billing], "
        "start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z'}\n  groups:\n"
    )
    (error,) = errors_after("  groups:\n", window)
    assert "statuspage.maintenances[0].components[0]: no component 'billing'" in error


def test_the_stored_form_loads_back_with_its_status_page():
    config = load_config(DEMO_CONFIG)
    from klaxon.config.schema import KlaxonConfig

    assert KlaxonConfig.model_validate(config.stored()).statuspage == config.statuspage


def test_the_demo_brands_its_page_with_an_accent_colour_and_a_logo():
    page = load_config(DEMO_CONFIG).statuspage
    assert (page.accent_colour, page.logo_url.startswith("data:image/svg+xml,")) == ("#4b2e83", True)


def test_branding_is_optional():
    text = DEMO_TEXT.replace('  accent_colour: "#4b2e83"\n', "")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("  logo_url:"))
    page = parse_config(text, "acme.yaml").statuspage
    assert (page.accent_colour, page.logo_url) == (None, None)


def test_an_accent_colour_must_be_hex():
    (error,) = errors_after('accent_colour: "#4b2e83"', "accent_colour: purple")
    assert "statuspage.accent_colour" in error


def test_a_logo_over_plain_http_is_refused():
    (error,) = errors_after('logo_url: "data:image/svg+xml,', 'logo_url: "http://acme.example/logo.svg#')
    assert "statuspage.logo_url" in error

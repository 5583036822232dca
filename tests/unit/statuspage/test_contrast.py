"""Status colours keep WCAG AA contrast (4.5:1) against the page, in the light and the dark scheme."""

from __future__ import annotations

import re

import pytest

from klaxon.domain.statuspage.colours import AA, contrast, text_on
from statuspage_site.site import static_text

CSS = static_text("status.css")
STATUS_COLOURS = [
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
]
BANNERS = ["#1a7f37", "#9a6700", "#bc4c00", "#cf222e", "#0969da"]


def variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z_]+):(#[0-9a-f]{6})", block))


LIGHT = variables(CSS.split("@media")[0])
DARK = variables(CSS.split("prefers-color-scheme:dark")[1].split("}}")[0])


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("status", STATUS_COLOURS)
def test_status_text_is_readable_on_the_page(scheme, status):
    assert contrast(scheme[status], scheme["bg"]) >= AA


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
def test_muted_text_is_readable_on_the_page_and_on_cards(scheme):
    assert min(contrast(scheme["muted"], scheme["bg"]), contrast(scheme["muted"], scheme["card"])) >= AA


@pytest.mark.parametrize("background", BANNERS)
def test_white_banner_text_is_readable_on_every_banner_colour(background):
    assert contrast("#ffffff", background) >= AA


def test_banner_colours_are_the_ones_the_stylesheet_uses():
    assert re.findall(r"\.banner-[a-z]+\{background:(#[0-9a-f]{6})\}", CSS) == BANNERS


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
def test_links_are_readable_on_the_page_and_on_cards(scheme):
    assert min(contrast(scheme["link"], scheme["bg"]), contrast(scheme["link"], scheme["card"])) >= AA


@pytest.mark.parametrize(
    "accent", ["#4b2e83", "#ffcc00", "#777777", "#0969da", "#00ff00", "#ff0000", "#000000", "#ffffff"]
)
def test_header_text_on_any_accent_colour_meets_aa(accent):
    assert contrast(text_on(accent), accent) >= AA

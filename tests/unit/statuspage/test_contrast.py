"""Status colours keep WCAG AA contrast (4.5:1) against the page, in the light and the dark scheme."""

from __future__ import annotations

import re

import pytest

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


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("status", STATUS_COLOURS)
def test_status_text_is_readable_on_the_page(scheme, status):
    assert contrast(scheme[status], scheme["bg"]) >= 4.5


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
def test_muted_text_is_readable_on_the_page_and_on_cards(scheme):
    assert min(contrast(scheme["muted"], scheme["bg"]), contrast(scheme["muted"], scheme["card"])) >= 4.5


@pytest.mark.parametrize("background", BANNERS)
def test_white_banner_text_is_readable_on_every_banner_colour(background):
    assert contrast("#ffffff", background) >= 4.5

"""WCAG 2.1 contrast: the ratio of two colours, and which text colour stays readable on a brand colour."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
AA = 4.5  # WCAG 2.1 AA for normal text
WHITE = "#ffffff"
BLACK = "#000000"


def luminance(colour: str) -> float:
    """Relative luminance of `#rrggbb` (WCAG 2.1)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(background: str) -> str:
    """White or black, whichever reads better on `background`: one of them is at least 4.58:1 on any
    colour, so text on a configured accent colour always meets AA."""
    return WHITE if contrast(WHITE, background) >= contrast(BLACK, background) else BLACK

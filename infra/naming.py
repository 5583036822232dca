"""Construct ids from Klaxon's snake- and kebab-case names ("route-alerts" -> "RouteAlerts")."""

from __future__ import annotations

import re


def pascal_case(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_\s]+", name) if part)

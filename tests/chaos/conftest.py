"""Chaos tier: the local platform in process, with faults injected at named kill points."""

from __future__ import annotations

import klaxon.local.emulation  # noqa: F401 - first: fake credentials, moto before any boto3 session

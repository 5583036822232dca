"""A router with noise control over in-memory ports: grouping on `search`, one inhibition rule, windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from klaxon.domain.noise.grouping import GroupRule
from klaxon.domain.noise.inhibition import InhibitionRule
from klaxon.domain.noise.maintenance import MaintenanceWindow
from klaxon.services.incident.router import RouterService
from klaxon.services.noise.control import NoiseControl, NoiseSettings
from tests.fakes.memory import CountingIds, FixedClock, MemoryPayloads, MemoryTimeline, RecordingBus
from tests.fakes.noise import MemoryWindows, NoiseMemoryIncidents

SEARCH_GROUPS = GroupRule(service="search", group_by=("alertname",), window=timedelta(minutes=5))
REGION_DOWN = InhibitionRule(source_match={"alertname": "region-down"}, equal=("region",))


@dataclass
class World:
    router: RouterService
    noise: NoiseControl
    incidents: NoiseMemoryIncidents
    bus: RecordingBus
    clock: FixedClock
    windows: MemoryWindows
    settings: dict[str, NoiseSettings] = field(default_factory=dict)

    def add_window(self, window: MaintenanceWindow) -> None:
        self.windows.add(window)


@pytest.fixture
def world() -> World:
    timeline = MemoryTimeline()
    bus, clock, windows = RecordingBus(), FixedClock(), MemoryWindows()
    incidents = NoiseMemoryIncidents(timeline, bus)
    settings = {"now": NoiseSettings(grouping={"search": SEARCH_GROUPS}, inhibition=(REGION_DOWN,))}
    noise = NoiseControl(
        incidents=incidents,
        settings=lambda: settings["now"],
        stored_windows=windows.current,
        clock=clock,
    )
    router = RouterService(
        incidents=incidents,
        timeline=timeline,
        payloads=MemoryPayloads(),
        clock=clock,
        ids=CountingIds(),
        noise=noise,
    )
    return World(router, noise, incidents, bus, clock, windows, settings)

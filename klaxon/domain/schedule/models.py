"""Schedule shapes: the contract between config, storage and the on-call rules."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from klaxon.domain.model import Model

# A wall-clock time with no offset (RFC 3339's "local date-time"), read in the rotation's time zone.
WallClock = Annotated[
    datetime,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
            "description": "a wall-clock time in the rotation's time zone, without an offset",
            "examples": ["2026-01-05T09:00:00"],
        }
    ),
]


class RotationType(StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    CUSTOM = "custom"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def index(self) -> int:  # type: ignore[override]  # shadows str.index on purpose
        """Monday is 0, as in `datetime.weekday()`."""
        return list(Weekday).index(self)


class Rotation(Model):
    """Participants take turns; each shift is `shift_length` units long (custom: `shift_hours` hours).

    `start` is a wall-clock time in `time_zone` (no offset): the first hand-off, when the first
    participant's first shift begins. Every hand-off happens at that same wall-clock time.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: RotationType
    participants: list[str] = Field(min_length=1)
    start: WallClock
    time_zone: str
    shift_length: int = Field(default=1, ge=1)
    shift_hours: int | None = Field(default=None, ge=1)

    @field_validator("start")
    @classmethod
    def _wall_clock(cls, v: datetime) -> datetime:
        if v.tzinfo is not None:
            raise ValueError("start is a wall-clock time in the rotation's time_zone; drop the offset")
        return v

    @model_validator(mode="after")
    def _custom_needs_hours(self) -> Rotation:
        if self.type is RotationType.CUSTOM and self.shift_hours is None:
            raise ValueError("a custom rotation needs shift_hours")
        if self.type is not RotationType.CUSTOM and self.shift_hours is not None:
            raise ValueError("shift_hours is only for custom rotations; use shift_length")
        return self


class Restriction(Model):
    """A weekly window, in the rotation's time zone, outside which the layer is silent.

    `end` <= `start` means the window runs past midnight into the next day.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: list[Weekday] = Field(default_factory=lambda: list(Weekday), min_length=1)
    start: time
    end: time


class Layer(Model):
    """A rotation plus optional restrictions. In a schedule, later layers win where they overlap."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    rotation: Rotation
    restrictions: list[Restriction] = Field(default_factory=list)


class Schedule(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str | None = None
    time_zone: str
    layers: list[Layer] = Field(min_length=1)


class Override(Model):
    """A user takes the whole schedule for [start, end); overrides win over every layer."""

    model_config = ConfigDict(frozen=True)

    id: str
    schedule: str
    user: str
    start: datetime
    end: datetime
    created_by: str | None = None
    created_at: datetime | None = None


class Shift(Model):
    """A span of time during which `user` is on call; `layer` names where it came from ("override")."""

    model_config = ConfigDict(frozen=True)

    user: str
    start: datetime
    end: datetime
    layer: str


class OnCall(Model):
    """Who is on call at an instant, and the bounds of that person's current continuous span."""

    model_config = ConfigDict(frozen=True)

    user: str
    start: datetime
    end: datetime

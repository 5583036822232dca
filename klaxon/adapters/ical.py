"""On-call shifts as an RFC 5545 calendar (icalendar): one event per shift, stable UIDs, real time zones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from klaxon.domain.schedule.models import Shift


def shift_uid(schedule_id: str, shift: Shift) -> str:
    """Stable while the shift is unchanged, so calendar apps update events instead of duplicating them."""
    return f"{schedule_id}-{shift.layer}-{shift.user}-{shift.start:%Y%m%dT%H%M%SZ}@klaxon"


def calendar(
    name: str, time_zone: str, entries: Iterable[tuple[str, Shift]], names: dict[str, str], now: datetime
) -> bytes:
    """`entries` are (schedule id, shift); `names` maps user ids to display names for the summaries."""
    tz = ZoneInfo(time_zone)
    cal = Calendar()
    cal.add("prodid", "-//Klaxon//on-call//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", time_zone)
    for schedule_id, shift in entries:
        event = Event()
        event.add("uid", shift_uid(schedule_id, shift))
        event.add("dtstamp", now)
        event.add("dtstart", shift.start.astimezone(tz))
        event.add("dtend", shift.end.astimezone(tz))
        who = names.get(shift.user, shift.user)
        source = "override" if shift.layer == "override" else f"layer {shift.layer}"
        event.add("summary", f"On call: {who} ({schedule_id})")
        event.add("description", f"{who} is on call for schedule {schedule_id} ({source}).")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())

"""The window a report covers, from what a person types: `--since 7d`, `--from "last monday"`,
`--month 2026-11`, `--quarter 2026-Q4`, `--year 2026`, ISO times, or nothing (the last 30 days, or for a
period report the last full month). `now` and the zone are arguments."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from klaxon.domain.errors import InvalidInput

DEFAULT_DAYS = 30
MAX_RANGE = timedelta(days=366)  # the longest window a report covers
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPAN = re.compile(r"^(\d+)\s*(m|min|h|d|w)$")
_AGO = re.compile(r"^(\d+\s*(?:m|min|h|d|w))\s+ago$")
_UNIT = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
EXAMPLES = "7d, 12h, 2w, today, yesterday, last monday, 3d ago, 2026-11-01, 2026-11-01T09:00Z"


def parse_span(text: str) -> timedelta:
    """`30m`, `12h`, `7d`, `2w`."""
    found = _SPAN.match(text.strip().lower())
    if not found:
        raise ValueError(f"{text!r} is not a span; use e.g. 30m, 12h, 7d or 2w")
    return timedelta(**{_UNIT[found.group(2)]: int(found.group(1))})


def parse_moment(text: str, now: datetime, zone: tzinfo) -> datetime:
    """A point in time: ISO (a date alone is its midnight in `zone`), `now`, `today`, `yesterday`,
    `last <weekday>` or `<weekday>` (midnight of the latest such day before today), `<span> ago`."""
    word = " ".join(text.strip().lower().split())
    today = now.astimezone(zone).date()
    if word == "now":
        return now
    if word in ("today", "yesterday"):
        return _midnight(today - timedelta(days=word == "yesterday"), zone)
    weekday = word.removeprefix("last ")
    if weekday in WEEKDAYS:
        back = (today.weekday() - WEEKDAYS.index(weekday) - 1) % 7 + 1
        return _midnight(today - timedelta(days=back), zone)
    ago = _AGO.match(word)
    if ago:
        return now - parse_span(ago.group(1))
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time; use e.g. {EXAMPLES}") from None
    if at.tzinfo is None:
        return at.replace(tzinfo=zone)
    return at


def month_window(text: str, zone: tzinfo) -> tuple[datetime, datetime]:
    found = _MONTH.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month; use YYYY-MM, e.g. 2026-11")
    year, month = int(found.group(1)), int(found.group(2))
    following = date(year + month // 12, month % 12 + 1, 1)
    return _midnight(date(year, month, 1), zone), _midnight(following, zone)


def last_full_month(now: datetime, zone: tzinfo) -> str:
    """The calendar month before the one `now` is in, in `zone`: `2026-11` on any day of December."""
    today = now.astimezone(zone).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def period(
    now: datetime,
    zone: tzinfo,
    *,
    month: str | None = None,
    quarter: str | None = None,
    year: str | None = None,
) -> tuple[str, datetime, datetime]:
    """A period report's name and [start, end): a month (2026-11), a quarter (2026-Q4) or a year (2026);
    none of them: the last full month."""
    if sum(1 for given in (month, quarter, year) if given) > 1:
        raise ValueError("give one of --month, --quarter and --year")
    if quarter:
        found = _QUARTER.match(quarter.strip())
        if found is None:
            raise ValueError(f"{quarter!r} is not a quarter; use YYYY-Qn, e.g. 2026-Q4")
        first = (int(found.group(2)) - 1) * 3 + 1
        start, _ = month_window(f"{found.group(1)}-{first:02d}", zone)
        _, end = month_window(f"{found.group(1)}-{first + 2:02d}", zone)
        return quarter.strip(), start, end
    if year:
        if _YEAR.match(year.strip()) is None:
            raise ValueError(f"{year!r} is not a year; use YYYY, e.g. 2026")
        start, _ = month_window(f"{year.strip()}-01", zone)
        _, end = month_window(f"{year.strip()}-12", zone)
        return year.strip(), start, end
    name = month or last_full_month(now, zone)
    start, end = month_window(name, zone)
    return name.strip(), start, end


def window(
    now: datetime,
    zone: tzinfo,
    *,
    since: str | None = None,
    start: str | None = None,
    end: str | None = None,
    month: str | None = None,
) -> tuple[datetime, datetime]:
    """[start, end): `month` alone, or `since`/`start` to `end` (default now); nothing: the last 30 days."""
    if month is not None:
        if since or start or end:
            raise ValueError("--month is the whole window: give it without --since, --from or --to")
        return month_window(month, zone)
    if since and start:
        raise ValueError("give --since or --from, not both")
    stop = parse_moment(end, now, zone) if end else now
    if since:
        begin = stop - parse_span(since)
    elif start:
        begin = parse_moment(start, now, zone)
    else:
        begin = stop - timedelta(days=DEFAULT_DAYS)
    if begin >= stop:
        raise ValueError(f"the window is empty: {begin.isoformat()} is not before {stop.isoformat()}")
    return begin, stop


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def check_range(start: datetime, end: datetime, longest: timedelta = MAX_RANGE) -> None:
    """A report's [start, end) as the API takes it: both with an offset, end after start, not too long."""
    naive = [name for name, at in (("start", start), ("end", end)) if at.tzinfo is None]
    if naive:
        raise InvalidInput("times need an offset", [f"{n}: give a UTC offset or Z" for n in naive])
    if end <= start:
        raise InvalidInput("end must be after start", ["end: must be after start"])
    if end - start > longest:
        raise InvalidInput("range too long", [f"end: at most {longest.days} days after start"])

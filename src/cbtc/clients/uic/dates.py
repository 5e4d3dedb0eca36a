"""Date segments such as "MMDDYYYY", "DD" or "YY": rendering and checking a typed segment."""

from __future__ import annotations

import calendar
import datetime
import re

from django.conf import settings
from django.utils import timezone

EARLIEST_YEAR = 1900  # a date of birth before this is a typing mistake, not a client
_TOKEN = re.compile(r"YYYY|YY|MM|DD")
_LEAP_YEAR = 2000  # for a day and month without a year, 29 February must be allowed


def local_today() -> datetime.date:
    """The deployment's calendar day, so a date entered near midnight is judged by local time."""
    if settings.configured and settings.USE_TZ:
        return timezone.localdate()
    return datetime.datetime.now(tz=datetime.UTC).date()


def format_tokens(date_format: str) -> list[tuple[str, int]] | None:
    """(token, offset) pairs, or None when the format is not made of YYYY, YY, MM and DD, each once."""
    tokens: list[tuple[str, int]] = []
    offset = 0
    while offset < len(date_format):
        match = _TOKEN.match(date_format, offset)
        if match is None:
            return None
        tokens.append((match.group(), offset))
        offset = match.end()
    names = [token.replace("YYYY", "YY") for token, _ in tokens]
    return tokens if tokens and len(names) == len(set(names)) else None


def render_date(value: datetime.date, date_format: str) -> str:
    pieces = {"YYYY": f"{value.year:04d}", "YY": f"{value.year % 100:02d}", "MM": f"{value.month:02d}"}
    pieces["DD"] = f"{value.day:02d}"
    return "".join(pieces[token] for token, _ in format_tokens(date_format) or [])


def date_segment_problem(segment: str, date_format: str, today: datetime.date) -> str | None:
    """Why a typed segment is not a date in this format, in words for a form; None when it is one."""
    if len(segment) != len(date_format) or not (segment.isascii() and segment.isdecimal()):
        return "digits"
    values = {token: int(segment[offset : offset + len(token)]) for token, offset in format_tokens(date_format) or []}
    year, month, day = values.get("YYYY"), values.get("MM"), values.get("DD")
    if month is not None and not 1 <= month <= 12:  # noqa: PLR2004  # months of the year
        return "real"
    last_day = calendar.monthrange(year or _LEAP_YEAR, month or 1)[1] if month else 31
    if day is not None and not 1 <= day <= last_day:
        return "real"
    if year is not None and year < EARLIEST_YEAR:
        return "early"
    # The earliest day the segment can stand for must not be after today.
    if year is not None and datetime.date(year, month or 1, day or 1) > today:
        return "future"
    return None

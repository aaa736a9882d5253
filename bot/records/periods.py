"""Reading a statistics period such as `7d`, `24h` or `2024-05-01` into a UTC start time.

Shared by `dateline stats --since` and any front end that offers the same choice.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

ALL = ("all", "ever")
# Stored times are fixed-width text from this epoch on; anything earlier means "everything".
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RELATIVE = re.compile(r"(\d{1,5})\s*([hdw])", re.IGNORECASE)
_UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}


def parse_since(text: str, now: datetime | None = None) -> datetime | None:
    """The start of the period, timezone-aware UTC; None means "since the beginning".

    Accepts `all`, a span back from now (`24h`, `7d`, `30d`, `2w`) or an ISO date or date-time
    (`2024-05-01`, `2024-05-01T12:00`, `2024-05-01T12:00+02:00`; no zone means UTC).
    Raises `ValueError` with a readable message otherwise.
    """
    value = text.strip()
    if value.lower() in ALL:
        return None
    current = now if now is not None else datetime.now(UTC)
    relative = _RELATIVE.fullmatch(value)
    if relative is not None:
        hours = int(relative.group(1)) * _UNIT_HOURS[relative.group(2).lower()]
        return _clamped(current - timedelta(hours=hours))
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return _clamped(datetime(day.year, day.month, day.day, tzinfo=UTC))
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"unknown period {value[:40]!r}: use 24h, 7d, 30d, 2w, all, or a date like 2024-05-01"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return _clamped(moment)


def _clamped(moment: datetime) -> datetime | None:
    moment = moment.astimezone(UTC)
    return None if moment <= _EPOCH else moment


def describe_since(since: datetime | None) -> str:
    """A short label for the period, for table titles."""
    if since is None:
        return "all time"
    return f"since {since.strftime('%Y-%m-%d %H:%M')} UTC"

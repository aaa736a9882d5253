"""Statistics periods: spans back from now, ISO dates and times, `all`, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.records import describe_since, parse_since

NOW = datetime(2024, 5, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", NOW - timedelta(days=7)),
        ("30D", NOW - timedelta(days=30)),
        (" 24h ", NOW - timedelta(hours=24)),
        ("2w", NOW - timedelta(weeks=2)),
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01T12:30", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01T12:30+02:00", datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
        ("all", None),
        ("ALL", None),
        ("99999w", None),  # before 1970: the whole history
        ("0300-01-01", None),
    ],
)
def test_accepted(text: str, expected: datetime | None) -> None:
    since = parse_since(text, NOW)
    assert since == expected
    if since is not None:
        assert since.tzinfo is not None and since.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["", "7", "d7", "last week", "2024-13-01", "7 days", "-7d"])
def test_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unknown period"):
        parse_since(text, NOW)


@given(st.text(max_size=60))
def test_any_text_parses_or_raises_value_error(text: str) -> None:
    try:
        since = parse_since(text, NOW)
    except ValueError:
        return
    assert since is None or since.tzinfo is not None


def test_describe() -> None:
    assert describe_since(None) == "all time"
    moment = datetime(2024, 5, 1, 9, 5, tzinfo=timezone(timedelta(hours=0)))
    assert describe_since(moment) == "since 2024-05-01 09:05 UTC"

"""Datelines: finding `MOSCOW, April 2./TASS/.` at the start of a story and parsing it.

The dateline is metadata, not quotable text: `find_dateline` returns where the story proper
begins so the first sentence can be quoted without its dateline prefix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dateline:
    """A story's dateline: the text exactly as written plus its parsed parts."""

    as_written: str
    place: str | None = None
    date: str | None = None
    agency: str | None = None

    @property
    def display(self) -> str:
        """A clean form such as `MOSCOW, April 2 /TASS/`."""
        head = ", ".join(part for part in (self.place, self.date) if part)
        if self.agency:
            return f"{head} /{self.agency}/" if head else f"/{self.agency}/"
        return head or self.as_written.strip()


@dataclass(frozen=True, slots=True)
class DatelineMatch:
    """A dateline found in a text: `text[start:end] == dateline.as_written`; `body_start` is where
    the quotable story text begins (after the dateline and its trailing separators/spaces)."""

    dateline: Dateline
    start: int
    end: int
    body_start: int


def find_dateline(text: str) -> DatelineMatch | None:
    """Find the dateline at the very start of `text` (leading whitespace allowed); None if absent."""
    raise NotImplementedError  # implemented in the datelines work


def parse_dateline(as_written: str) -> Dateline:
    """Parse a dateline given on its own (front matter, JSON field); never fails."""
    match = find_dateline(as_written)
    if match is not None:
        return match.dateline
    return Dateline(as_written=as_written.strip())

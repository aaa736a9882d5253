"""The values the history store returns, and its errors."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from bot.errors import DatelineError

FrontEnd = Literal["discord", "cli"]


AuditResult = Literal["ok", "refused", "error"]


class StorageError(DatelineError):
    """A database call failed (locked, read-only, disk full, closed, ...)."""


class SchemaVersionError(StorageError):
    """The database file was written by a newer Dateline; it is refused, never touched."""


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    """A normalised unanswered question and how often it was asked."""

    text: str
    count: int


@dataclass(frozen=True, slots=True)
class QuotedArticle:
    """An article and how many answers quoted it."""

    article_id: str
    count: int


@dataclass(frozen=True, slots=True)
class Stats:
    """Usage figures for one period; front ends render them, `to_dict` serves JSON."""

    since: datetime | None
    until: datetime | None
    questions_asked: int
    questions_answered: int
    answer_rate: float | None  # answered / asked; None when nothing was asked
    top_unanswered: tuple[UnansweredQuestion, ...]
    feedback_up: int
    feedback_down: int
    feedback_ratio: float | None  # up / (up + down); None when nobody voted
    top_articles: tuple[QuotedArticle, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO-8601 UTC strings)."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "questions_asked": self.questions_asked,
            "questions_answered": self.questions_answered,
            "answer_rate": self.answer_rate,
            "top_unanswered": [{"text": q.text, "count": q.count} for q in self.top_unanswered],
            "feedback_up": self.feedback_up,
            "feedback_down": self.feedback_down,
            "feedback_ratio": self.feedback_ratio,
            "top_articles": [
                {"article_id": a.article_id, "count": a.count} for a in self.top_articles
            ],
        }


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded admin action."""

    id: int
    at: datetime
    guild_id: int | None
    user_id: int | None
    user_name: str | None
    action: str
    detail: Mapping[str, Any]
    result: AuditResult
    message: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "guild_id": self.guild_id,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "action": self.action,
            "detail": dict(self.detail),
            "result": self.result,
            "message": self.message,
        }


def normalise_question(text: str) -> str:
    """Group spellings of a question: NFKC, casefold, one space, no trailing punctuation."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    end = len(folded)
    while end and (folded[end - 1].isspace() or unicodedata.category(folded[end - 1])[0] == "P"):
        end -= 1
    return folded[:end]


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)

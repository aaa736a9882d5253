"""The answer a question gets: one value that every front end renders."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.knowledge import Article, Passage


class AnswerStatus(Enum):
    """What kind of reply this is."""

    ANSWERED = "answered"
    NOT_FOUND = "not_found"
    INVALID_QUESTION = "invalid_question"


@dataclass(frozen=True, slots=True)
class SupportingQuote:
    """The quoted words as displayed, where they are in the article, and what matched."""

    text: str
    start: int
    end: int
    highlights: tuple[tuple[int, int], ...]
    matched_terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """One passage as evidence: its article, scores and the best quote in it."""

    article: Article
    passage: Passage
    score: float
    coverage: float
    quote: SupportingQuote
    features: tuple[float, ...] = ()  # the quote's `bot.answers.quote_model.FEATURES`
    rerank_score: float = 0.0  # the learned score that ranked this finding (its best window)
    neural_similarity: float | None = (
        None  # encoder cosine of passage and question; None: BM25-only
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """The complete result for one question; every front end renders this same value."""

    question: str
    status: AnswerStatus
    message: str
    best: Finding | None  # the closest passage: present even when not answered
    alternatives: tuple[Finding, ...]
    confidence: float
    elapsed_ms: float
    candidates: tuple[Finding, ...] = ()  # every re-ranked passage, best first (for evaluation)
    signals: tuple[float, ...] = ()  # `bot.answers.confidence.SIGNALS` of the best finding

    @property
    def answered(self) -> bool:
        """True when Dateline stands behind the quote."""
        return self.status is AnswerStatus.ANSWERED

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The best finding followed by the alternatives."""
        return ((self.best,) if self.best is not None else ()) + self.alternatives


# The confidence from which every front end says "high".
HIGH_CONFIDENCE = 0.8


def confidence_label(confidence: float) -> str:
    """A word for a number, shared by every front end."""
    if confidence >= HIGH_CONFIDENCE:
        return "high"
    if confidence >= 0.6:
        return "medium"
    return "low"

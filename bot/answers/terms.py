"""The question's terms and their weights, and how much of them a window covers.

Coverage is the share of the question's idf weight that a window holds, so it does not
depend on the corpus's raw score scale."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.answers.word_vectors import Vector, WordVectors
from bot.knowledge import KnowledgeBase

# Stems sharing this many leading characters match partially, for this share of weight.
PREFIX_CHARS = 5


PREFIX_MATCH = 0.7


# Floor on term weights: BM25Okapi gives very common terms a tiny idf.
MIN_TERM_WEIGHT = 0.05


@dataclass(frozen=True, slots=True)
class QuestionTerms:
    """The question's distinct terms with their weights."""

    weights: dict[str, float]
    unknown: tuple[str, ...]
    bigrams: frozenset[tuple[str, str]] = frozenset()
    top_term: str | None = None  # the known question word with the highest weight
    vector: Vector | None = None  # the question's word-vector sum (None: similarity off)
    term_vectors: Vector | None = None  # unit vector of each term in `weights` order
    total: float = field(init=False)  # the sum of the weights
    # (term, its first PREFIX_CHARS characters, weight) for the terms long enough
    prefixed: tuple[tuple[str, str, float], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", sum(self.weights.values()))
        object.__setattr__(
            self,
            "prefixed",
            tuple(
                (term, term[:PREFIX_CHARS], weight)
                for term, weight in self.weights.items()
                if len(term) >= PREFIX_CHARS
            ),
        )


def term_weight(document_frequency: int, passages: int) -> float:
    """Lucene's always-positive idf: used to weigh question words for coverage.

    BM25Okapi's own idf goes to zero or below in small corpora (a word in half of three
    articles), which would make every question look unanswerable on a small server.
    """
    return math.log(1.0 + (passages - document_frequency + 0.5) / (document_frequency + 0.5))


def weigh_question(
    knowledge: KnowledgeBase,
    terms: Sequence[str],
    question: str = "",
    vectors: WordVectors | None = None,
) -> QuestionTerms:
    index = knowledge.index
    weights: dict[str, float] = {}
    unknown: list[str] = []
    for term in terms:
        if term in weights:
            continue
        frequency = index.document_frequency(term) if index.has_term(term) else 0
        weights[term] = max(term_weight(frequency, index.n_passages), MIN_TERM_WEIGHT)
        if frequency == 0:
            unknown.append(term)
    known = [term for term in weights if term not in unknown]
    top = max(known, key=weights.__getitem__) if known else None
    vector = term_vectors = None
    if vectors is not None:
        surfaces = [
            question[token.start : token.end] for token in knowledge.analyzer.tokens(question)
        ]
        vector = vectors.sums([surfaces])[0]
        term_words = surface_words(knowledge, question, list(weights))
        term_vectors = vectors.sums([[word] for word in term_words])
        norms = np.linalg.norm(term_vectors, axis=1, keepdims=True)
        np.divide(term_vectors, norms, out=term_vectors, where=norms > 0)
    return QuestionTerms(
        weights,
        tuple(unknown),
        frozenset(itertools.pairwise(terms)),
        top,
        vector,
        term_vectors,
    )


def prefixes(seen: set[str]) -> set[str]:
    return {term[:PREFIX_CHARS] for term in seen if len(term) >= PREFIX_CHARS}


def coverage_of(seen: set[str], prefixes: set[str], question: QuestionTerms) -> float:
    """Share of the question's weight found in a window, from its term and prefix sets
    (computed once per sentence).

    A question word whose stem differs but shares a long prefix (`married` → `marri`,
    `marriage` → `marriag`) counts as a partial match: Snowball stems derivations apart.
    """
    if question.total <= 0:
        return 0.0
    total = 0.0
    for term, weight in question.weights.items():
        if term in seen:
            total += weight
    for term, prefix, weight in question.prefixed:
        if term not in seen and prefix in prefixes:
            total += PREFIX_MATCH * weight
    return total / question.total


def surface_words(knowledge: KnowledgeBase, question: str, terms: Sequence[str]) -> list[str]:
    """The question's own words for some index terms (`football`, not the stem `footbal`)."""
    wanted = set(terms)
    words: dict[str, str] = {}
    for token in knowledge.analyzer.tokens(question):
        if token.term in wanted and token.term not in words:
            words[token.term] = question[token.start : token.end]
    return [words.get(term, term) for term in terms]

"""Word-vector evidence for quote choice: how close a window and its passage are to the
question, and which question words have a near neighbour in the window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bot.answers.terms import (
    QuestionTerms,
)
from bot.answers.word_vectors import Vector, WordVectors, cosines, group_sums

if TYPE_CHECKING:
    from bot.answers.candidates import Sentences


@dataclass(frozen=True, slots=True)
class Similarity:
    """Word-vector evidence for one passage (all zeros when similarity is off)."""

    windows: npt.NDArray[np.float64]  # cosine of each window with the question
    passage: float  # cosine of the whole passage with the question
    nearest: Vector  # windows × question terms: cosine of the window's nearest word


def similarities(
    cuts: Sequence[tuple[str, Sentences]],
    question: QuestionTerms,
    vectors: WordVectors | None,
) -> list[Similarity]:
    """For each passage: the word-vector cosine of each window, and of the whole passage,
    with the question; and for each window and question term, the cosine of the window's
    nearest word.

    One batched lookup serves every passage of a question (per-call overhead dominates at
    this size); windows and passages are sums of its sentence rows.
    """
    width = len(question.weights)
    if vectors is None or question.vector is None or question.term_vectors is None:
        return [
            Similarity(
                np.zeros(len(cut.windows)),
                0.0,
                np.zeros((len(cut.windows), width), dtype=np.float32),
            )
            for _, cut in cuts
        ]
    groups = [
        [text[start + token.start : start + token.end] for token in tokens]
        for text, cut in cuts
        for (start, _), tokens in zip(cut.spans, cut.tokens, strict=True)
    ]
    sentences, nearest = vectors.sums_and_matches(groups, question.term_vectors)
    firsts: list[int] = []
    lasts: list[int] = []
    offset = 0
    for _, cut in cuts:
        firsts.extend(offset + first for first, _ in cut.windows)
        lasts.extend(offset + last for _, last in cut.windows)
        offset += len(cut.spans)
    first_rows = np.asarray(firsts, dtype=np.intp)
    last_rows = np.asarray(lasts, dtype=np.intp)
    pairs = (last_rows > first_rows)[:, None]  # windows span one or two sentences
    window_rows = sentences[first_rows] + np.where(pairs, sentences[last_rows], 0.0)
    spans_per_passage = np.fromiter((len(cut.spans) for _, cut in cuts), dtype=np.intp)
    rows = np.concatenate([window_rows, group_sums(sentences, spans_per_passage)])
    similarity = cosines(rows, question.vector)
    window_nearest = np.maximum(nearest[first_rows], nearest[last_rows])
    results: list[Similarity] = []
    done = 0
    for number, (_, cut) in enumerate(cuts):
        count = len(cut.windows)
        results.append(
            Similarity(
                similarity[done : done + count],
                float(similarity[len(first_rows) + number]),
                window_nearest[done : done + count],
            )
        )
        done += count
    return results


def soft_coverage(nearest: Sequence[float], question: QuestionTerms, seen: set[str]) -> float:
    """Like coverage, but a question word absent from the window earns the cosine of the
    window's nearest word (`welcomed` ~ `greeted`): weighted by idf, in [0, 1].

    `nearest` holds one cosine per question term, in `question.weights` order.
    """
    if question.total <= 0 or len(nearest) != len(question.weights):
        return 0.0
    credit = 0.0
    for (term, weight), cosine in zip(question.weights.items(), nearest, strict=True):
        credit += weight if term in seen else weight * min(max(cosine, 0.0), 1.0)
    return credit / question.total

"""Candidate windows: the best BM25 passages cut into quotable sentences and short pairs,
each with the features the quote scorer reads (`bot.answers.quote_model.FEATURES`)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.answers.answer_types import AnswerType, expected_answer_type, offers_answer
from bot.answers.neural import NeuralEvidence, NeuralStage
from bot.answers.quote_model import (
    BM25_ONLY_WEIGHTS,
    NEURAL_FEATURES,
    WEIGHTS,
    lacks_asked_kind,
    quote_score,
)
from bot.answers.similarity import Similarity, similarities, soft_coverage
from bot.answers.terms import (
    QuestionTerms,
    coverage_of,
    prefixes,
)
from bot.answers.word_vectors import WordVectors
from bot.knowledge import Article, KnowledgeBase, Passage
from bot.text import Token

log = logging.getLogger(__name__)

# How many BM25 hits are re-ranked by their best quote ...
RERANK_DEPTH = 12


# ... except those scoring under this share of the best hit, past the first few (enough for
# the best answer and its alternatives): their quote is not chosen in practice. On both shared
# question sets, `dateline eval` gives the same answer to every question with this cut as
# without it (only passage recall@5, computed over the re-ranked list, moves: 0.850 -> 0.847
# on realtimeqa), and it reads 8.2 passages a question there instead of 12.
RERANK_MIN_SHARE = 0.4


RERANK_ALWAYS = 5

# With the neural stage this many BM25 hits are re-ranked, none cut by score, and up to
# DENSE_DEPTH passages nearest the question that BM25 ranked lower join them
# (bot.answers.dense).
NEURAL_DEPTH = 30
DENSE_DEPTH = 5


# A window without the kind of answer the question asks for ("how many" and no number) loses
# this much on top of its fitted weight, so a quote that has it wins among near-equals.
# Measured on both shared sets (all windows of the re-ranked passages, stage on): 0.0 / 0.5 /
# 1.0 / 2.0 give answer-in-quote 0.8155 / 0.8155 / 0.8151 / 0.8125 on squad-dev and 0.7607 /
# 0.7607 / 0.7607 / 0.7587 on realtimeqa, and quotes lacking the kind fall from 2.6% to 2.4%
# (squad-dev) and 1.2% to 1.0% (realtimeqa) at 1.0.
MISSING_KIND_PENALTY = 1.0

# Two adjacent sentences may be quoted together when they fit in this many characters: a
# sentence too short to stand alone gets its neighbour, a long one stays alone.
PAIR_MAX_CHARS = 400


@dataclass(frozen=True, slots=True)
class QuoteCandidate:
    """One quotable window of a passage with the features that score it."""

    start: int
    end: int
    coverage: float
    features: tuple[float, ...]
    neural: bool = False  # the neural features are real (else 0, and BM25-only weights apply)

    @property
    def score(self) -> float:
        """The learned linear score (see `bot.answers.quote_model`), less
        `MISSING_KIND_PENALTY` for a window without the kind of answer asked for."""
        score = quote_score(self.features, WEIGHTS if self.neural else BM25_ONLY_WEIGHTS)
        return score - MISSING_KIND_PENALTY if lacks_asked_kind(self.features) else score


@dataclass(frozen=True, slots=True)
class Sentences:
    """A passage cut for quoting: its sentence spans, their tokens and the quotable windows."""

    spans: list[tuple[int, int]]
    tokens: list[list[Token]]
    windows: list[tuple[int, int]]


def _sentences(
    knowledge: KnowledgeBase, article: Article, passage: Passage, limit: int
) -> Sentences:
    spans = passage.sentence_spans() or [(passage.start, passage.end)]
    text = article.text
    tokens = [knowledge.analyzer.tokens(text[start:end]) for start, end in spans]
    return Sentences(spans, tokens, _window_indices(spans, limit, text))


def quote_candidates(
    knowledge: KnowledgeBase,
    article: Article,
    passage: Passage,
    question: QuestionTerms,
    *,
    answer_type: AnswerType,
    question_text: str,
    bm25_share: float,
    rank: int,
    limit: int = 400,
    vectors: WordVectors | None = None,
) -> list[QuoteCandidate]:
    """Every sentence (and short-sentence pair) of the passage, with its features.

    The features are those of `bot.answers.quote_model.FEATURES`, in that order. With `vectors`
    and a question vector, the two similarity features compare word-vector sums; without,
    they are 0.
    """
    cut = _sentences(knowledge, article, passage, limit)
    (similarity,) = similarities([(article.text, cut)], question, vectors)
    return _candidates(
        article.text,
        passage,
        cut,
        similarity,
        question,
        answer_type,
        question_text,
        bm25_share,
        rank,
        None,
    )


NO_NEURAL = (0.0,) * len(NEURAL_FEATURES)


def _neural_features(
    evidence: NeuralEvidence | None,
    number: int,
    coverage: float,
    best_passage: float,
    neural_rank: int,
) -> tuple[float, ...]:
    """`bot.answers.quote_model.NEURAL_FEATURES` for one window (zeros without the stage)."""
    if evidence is None:
        return NO_NEURAL
    window = float(evidence.windows[number])
    return (
        window,
        evidence.passage,
        evidence.best_sentence,
        window - evidence.best_sentence,
        evidence.passage - best_passage,
        window * coverage,
        1.0 / (neural_rank + 1),
    )


def _candidates(
    text: str,
    passage: Passage,
    cut: Sentences,
    similarity: Similarity,
    question: QuestionTerms,
    answer_type: AnswerType,
    question_text: str,
    bm25_share: float,
    rank: int,
    neural: tuple[NeuralEvidence, float, int] | None,
) -> list[QuoteCandidate]:
    """`quote_candidates` once the passage is cut and its similarities known (batched for
    all of a question's passages by `candidate_windows`). `neural` is the passage's neural
    evidence, the best passage cosine among the candidates and this passage's rank by it."""
    spans, sentence_tokens, windows = cut.spans, cut.tokens, cut.windows
    sentence_seen = [{token.term for token in tokens} for tokens in sentence_tokens]
    sentence_prefixes = [prefixes(seen) for seen in sentence_seen]
    singles = [
        coverage_of(seen, prefixes, question)
        for seen, prefixes in zip(sentence_seen, sentence_prefixes, strict=True)
    ]
    everything = set().union(*sentence_seen)
    passage_coverage = coverage_of(everything, set().union(*sentence_prefixes), question)
    nearest = similarity.nearest.tolist()
    typed = answer_type is not AnswerType.NONE
    candidates: list[QuoteCandidate] = []
    stats = [_sentence_stats(tokens, question) for tokens in sentence_tokens]
    for number, (first, last) in enumerate(windows):
        start, end = spans[first][0], spans[last][1]
        if first == last:
            seen = sentence_seen[first]
            coverage = singles[first]
        else:
            seen = set().union(*sentence_seen[first : last + 1])
            coverage = coverage_of(
                seen, set().union(*sentence_prefixes[first : last + 1]), question
            )
        window = _window_stats(stats[first : last + 1], sentence_tokens[first : last + 1], question)
        offers = (
            coverage > 0 and typed and offers_answer(answer_type, text[start:end], question_text)
        )
        features = (
            coverage,
            bm25_share,
            1.0 if offers and answer_type is AnswerType.NUMBER else 0.0,
            1.0 if offers and answer_type is AnswerType.TIME else 0.0,
            1.0 if offers and answer_type is AnswerType.NAME else 0.0,
            1.0 if typed and not offers else 0.0,
            1.0 if last > first else 0.0,
            (end - start) / 100.0,
            singles[first - 1] if first > 0 else 0.0,
            singles[last + 1] if last + 1 < len(spans) else 0.0,
            passage_coverage,
            1.0 / (rank + 1),
            1.0 if first == 0 else 0.0,
            coverage * coverage,
            coverage * bm25_share,
            window.novelty,
            window.proximity,
            1.0 if passage.ordinal == 0 else 0.0,
            window.bigram_share,
            1.0 if question.top_term is not None and question.top_term not in seen else 0.0,
            float(similarity.windows[number]),
            similarity.passage,
            soft_coverage(nearest[number], question, seen),
        )
        if neural is None:
            extra = NO_NEURAL
        else:
            extra = _neural_features(neural[0], number, coverage, neural[1], neural[2])
        candidates.append(
            QuoteCandidate(start, end, coverage, features + extra, neural is not None)
        )
    return candidates


@dataclass(frozen=True, slots=True)
class PassageCandidates:
    """One BM25 hit with the quote candidates of its passage."""

    article: Article
    passage: Passage
    score: float
    candidates: list[QuoteCandidate]


def candidate_windows(
    knowledge: KnowledgeBase,
    question: str,
    terms: Sequence[str],
    question_terms: QuestionTerms,
    limit: int,
    vectors: WordVectors | None = None,
    neural: NeuralStage | None = None,
) -> Iterator[PassageCandidates]:
    """The best BM25 passages, each with every quote candidate it offers: the first
    `RERANK_ALWAYS`, then those up to `RERANK_DEPTH` scoring at least `RERANK_MIN_SHARE` of
    the best; with the neural stage, the first `NEURAL_DEPTH` (it can lift a passage BM25
    ranked low, so none is cut by score).

    Shared by `answer_question` and the scorer's fitting script, so both see the same
    candidates with the same features.
    """
    hits = knowledge.index.search(terms, NEURAL_DEPTH if neural is not None else RERANK_DEPTH)
    if not hits:
        return
    top_score = hits[0][1] if hits[0][1] > 0 else 1.0
    question_vector = _question_vector(neural, question)
    if neural is None or question_vector is None:
        neural = None
        hits = [
            (passage_id, score)
            for rank, (passage_id, score) in enumerate(hits)
            if rank < RERANK_ALWAYS or score >= RERANK_MIN_SHARE * top_score
        ]
    else:
        hits += _dense_hits(knowledge, terms, neural, question_vector, hits)
    english = knowledge.analyzer.language == "english"
    answer_type = expected_answer_type(question) if english else AnswerType.NONE
    found = [
        (
            knowledge.article_of(knowledge.passages[passage_id]),
            knowledge.passages[passage_id],
            score,
        )
        for passage_id, score in hits
    ]
    cuts = [
        (article.text, _sentences(knowledge, article, passage, limit))
        for article, passage, _ in found
    ]
    evidence = similarities(cuts, question_terms, vectors)
    neural_evidence = _neural_evidence(neural, question_vector, found, cuts)
    for rank, ((article, passage, score), (_, cut), similarity) in enumerate(
        zip(found, cuts, evidence, strict=True)
    ):
        candidates = _candidates(
            article.text,
            passage,
            cut,
            similarity,
            question_terms,
            answer_type,
            question,
            score / top_score,
            rank,
            neural_evidence[rank] if neural_evidence is not None else None,
        )
        yield PassageCandidates(article, passage, score, candidates)


def _question_vector(neural: NeuralStage | None, question: str) -> npt.NDArray[np.float32] | None:
    """The question's vector, or None without the stage (or if the encoder failed)."""
    if neural is None:
        return None
    try:
        return neural.question_vector(question)
    except Exception:  # the stage must never cost an answer: BM25-only instead
        log.exception("neural stage failed on a question; answering it BM25-only")
        return None


def _dense_hits(
    knowledge: KnowledgeBase,
    terms: Sequence[str],
    neural: NeuralStage,
    question_vector: npt.NDArray[np.float32],
    hits: Sequence[tuple[int, float]],
) -> list[tuple[int, float]]:
    """Up to `DENSE_DEPTH` passages nearest the question that BM25's hits lack, with their
    exact BM25 scores (they rank after every BM25 hit)."""
    taken = {passage_id for passage_id, _ in hits}
    try:
        nearest = neural.dense.nearest(knowledge, question_vector, DENSE_DEPTH + len(hits))
    except Exception:
        log.exception("dense candidates failed on a question; BM25's alone are used")
        return []
    extra = [passage_id for passage_id in nearest if passage_id not in taken][:DENSE_DEPTH]
    if not extra:
        return []
    scores = knowledge.index.scores(terms)
    return [(passage_id, float(scores[passage_id])) for passage_id in extra]


def _neural_evidence(
    neural: NeuralStage | None,
    question_vector: npt.NDArray[np.float32] | None,
    found: Sequence[tuple[Article, Passage, float]],
    cuts: Sequence[tuple[str, Sentences]],
) -> list[tuple[NeuralEvidence, float, int]] | None:
    """Each candidate's neural evidence with the best passage cosine and its rank by it;
    None without the stage or when its vectors cannot be had in time."""
    if neural is None or question_vector is None:
        return None
    texts = [
        (
            text[passage.start : passage.end],
            [text[start:end] for start, end in cut.spans],
            cut.windows,
        )
        for (_, passage, _), (text, cut) in zip(found, cuts, strict=True)
    ]
    try:
        evidence = neural.evidence(question_vector, texts)
    except Exception:  # the stage must never cost an answer: BM25-only instead
        log.exception("neural stage failed on a question; answering it BM25-only")
        return None
    if evidence is None:
        return None
    best = max(item.passage for item in evidence)
    order = sorted(range(len(evidence)), key=lambda index: -evidence[index].passage)
    ranks = {index: rank for rank, index in enumerate(order)}
    return [(item, best, ranks[index]) for index, item in enumerate(evidence)]


@dataclass(frozen=True, slots=True)
class _SentenceStats:
    """What the window features need from one sentence, computed once per sentence."""

    length: int  # words (tokens)
    positions: tuple[int, ...]  # indices of the tokens that are question words
    matched: frozenset[str]  # the question words present
    bigrams: frozenset[tuple[str, str]]  # the question's word pairs present


@dataclass(frozen=True, slots=True)
class _WindowStats:
    novelty: float  # share of the window's words that are not question words: room for an answer
    proximity: float  # distinct matched question words / their spread in words
    bigram_share: float  # share of the question's adjacent word pairs found together


def _sentence_stats(tokens: Sequence[Token], question: QuestionTerms) -> _SentenceStats:
    weights = question.weights
    positions = tuple(index for index, token in enumerate(tokens) if token.term in weights)
    present = (
        {(a.term, b.term) for a, b in itertools.pairwise(tokens)} & question.bigrams
        if question.bigrams
        else set()
    )
    return _SentenceStats(
        len(tokens),
        positions,
        frozenset(tokens[index].term for index in positions),
        frozenset(present),
    )


def _window_stats(
    stats: Sequence[_SentenceStats],
    tokens: Sequence[Sequence[Token]],
    question: QuestionTerms,
) -> _WindowStats:
    """The features of consecutive sentences read as one window, from their per-sentence
    stats (a pair costs no second pass over its words)."""
    length = sum(item.length for item in stats)
    positions: list[int] = []
    offset = 0
    for item in stats:
        positions.extend(offset + position for position in item.positions)
        offset += item.length
    novelty = (length - len(positions)) / length if length else 0.0
    proximity = 0.0
    if len(positions) >= 2:
        distinct = len(frozenset().union(*(item.matched for item in stats)))
        proximity = distinct / (positions[-1] - positions[0] + 1)
    bigram_share = 0.0
    if question.bigrams:
        present: set[tuple[str, str]] = set().union(*(item.bigrams for item in stats))
        for before, after in itertools.pairwise(tokens):  # pairs across sentence boundaries
            if before and after and (before[-1].term, after[0].term) in question.bigrams:
                present.add((before[-1].term, after[0].term))
        bigram_share = len(present) / len(question.bigrams)
    return _WindowStats(novelty, proximity, bigram_share)


def _window_indices(
    spans: Sequence[tuple[int, int]], limit: int, text: str
) -> list[tuple[int, int]]:
    """(first, last) sentence indices: each sentence, then each adjacent pair that is short
    enough to read as one quote (at most `PAIR_MAX_CHARS`, and within the quote limit) and
    has nothing unquotable between its sentences (a dateline, a subheading)."""
    windows = [(index, index) for index in range(len(spans))]
    longest = min(PAIR_MAX_CHARS, limit)
    for index in range(len(spans) - 1):
        gap = text[spans[index][1] : spans[index + 1][0]]
        if spans[index + 1][1] - spans[index][0] <= longest and not gap.strip():
            windows.append((index, index + 1))
    return windows

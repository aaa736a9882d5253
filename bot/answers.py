"""Answers: from a question to the exact supporting quote, or an honest "not found".

Retrieval ranks passages with BM25; then, in the best few passages, every sentence (or two
adjacent sentences when one is too short to stand alone) is scored by how much of the
question's vocabulary it covers, weighted by idf. The final ranking blends the passage's
BM25 score with its best quote's coverage, so a passage that matches the question in one
sentence beats one that scatters the words over a paragraph.

Abstention uses signals that do not depend on the corpus's raw score scale: the share of
the question's idf weight (unknown words weigh as much as the rarest known word) that the
chosen passage and quote cover. Below `abstain_threshold` the answer is "not found", still
carrying the closest passage for transparency.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np
import numpy.typing as npt

from bot.analysis import Token
from bot.answer_types import AnswerType, expected_answer_type, offers_answer
from bot.articles import Article, collapse_whitespace
from bot.confidence import confidence_from
from bot.knowledge import KnowledgeBase
from bot.passages import Passage
from bot.quote_model import FEATURES, quote_score
from bot.semantics import Vector, WordVectors, cosines, group_sums, shared_word_vectors

# How many BM25 hits are re-ranked by their best quote ...
RERANK_DEPTH = 12
# ... except those scoring under this share of the best hit, past the first few (enough for
# the best answer and its alternatives): their quote is not chosen in practice. On both shared
# question sets, `dateline eval` gives the same answer to every question with this cut as
# without it (only passage recall@5, computed over the re-ranked list, moves: 0.850 -> 0.847
# on realtimeqa), and it reads 8.2 passages a question there instead of 12.
RERANK_MIN_SHARE = 0.4
RERANK_ALWAYS = 5
# Two adjacent sentences may be quoted together when they fit in this many characters: a
# sentence too short to stand alone gets its neighbour, a long one stays alone.
PAIR_MAX_CHARS = 400
# Stems sharing this many leading characters match partially, for this share of weight.
PREFIX_CHARS = 5
PREFIX_MATCH = 0.7
# Floor on term weights: BM25Okapi gives very common terms a tiny idf.
MIN_TERM_WEIGHT = 0.05
ELLIPSIS = "…"


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
    features: tuple[float, ...] = ()  # the quote's `bot.quote_model.FEATURES`


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
    signals: tuple[float, ...] = ()  # `bot.confidence.SIGNALS` of the best finding

    @property
    def answered(self) -> bool:
        """True when Dateline stands behind the quote."""
        return self.status is AnswerStatus.ANSWERED

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The best finding followed by the alternatives."""
        return ((self.best,) if self.best is not None else ()) + self.alternatives


@dataclass(frozen=True, slots=True)
class _QuestionTerms:
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


def _question_terms(
    knowledge: KnowledgeBase,
    terms: Sequence[str],
    question: str = "",
    vectors: WordVectors | None = None,
) -> _QuestionTerms:
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
        term_words = _surface_words(knowledge, question, list(weights))
        term_vectors = vectors.sums([[word] for word in term_words])
        norms = np.linalg.norm(term_vectors, axis=1, keepdims=True)
        np.divide(term_vectors, norms, out=term_vectors, where=norms > 0)
    return _QuestionTerms(
        weights,
        tuple(unknown),
        frozenset(itertools.pairwise(terms)),
        top,
        vector,
        term_vectors,
    )


def _prefixes(seen: set[str]) -> set[str]:
    return {term[:PREFIX_CHARS] for term in seen if len(term) >= PREFIX_CHARS}


def _coverage_of(seen: set[str], prefixes: set[str], question: _QuestionTerms) -> float:
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


def _trim(text: str, highlights: list[tuple[int, int]], limit: int) -> tuple[str, int]:
    """Cut `text` to at most `limit` chars at word boundaries around the highlights.

    Returns the trimmed text and the offset of its first character in `text` (before any
    leading ellipsis), so highlight spans can be shifted.
    """
    if len(text) <= limit:
        return text, 0
    budget = limit - 2
    first, last = _densest_run(highlights, budget)
    centre = (highlights[first][0] + highlights[last][1]) // 2 if highlights else 0
    start = max(0, min(centre - budget // 2, len(text) - budget))
    end = min(len(text), start + budget)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + budget // 2 else end
    piece = text[start:end].strip()
    offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return f"{prefix}{piece.rstrip(' ,;:')}{suffix}", offset - len(prefix)


def _densest_run(highlights: Sequence[tuple[int, int]], width: int) -> tuple[int, int]:
    """(first, last) indices of the most highlights that fit in `width` characters, earliest
    on ties: a long sentence is cut around where the question's words cluster, not around
    the middle of their spread."""
    best = (0, 0)
    last = 0
    for first in range(len(highlights)):
        last = max(last, first)
        while (
            last + 1 < len(highlights) and highlights[last + 1][1] - highlights[first][0] <= width
        ):
            last += 1
        if last - first > best[1] - best[0]:
            best = (first, last)
    return best


def make_quote(
    knowledge: KnowledgeBase, article: Article, start: int, end: int, terms: set[str], limit: int
) -> SupportingQuote:
    """The display form of article.text[start:end] with the matched words marked.

    With no `terms` nothing is marked (and the text is not analysed): used for passages
    that are ranked but not shown.
    """
    display = collapse_whitespace(article.text[start:end])
    tokens = knowledge.analyzer.tokens(display) if terms else []
    highlights = [(token.start, token.end) for token in tokens if token.term in terms]
    matched = tuple(dict.fromkeys(token.term for token in tokens if token.term in terms))
    text, offset = _trim(display, highlights, limit)
    shifted = tuple(
        (hl_start - offset, hl_end - offset)
        for hl_start, hl_end in highlights
        if hl_start - offset >= 0 and hl_end - offset <= len(text)
    )
    return SupportingQuote(text, start, end, shifted, matched)


@dataclass(frozen=True, slots=True)
class QuoteCandidate:
    """One quotable window of a passage with the features that score it."""

    start: int
    end: int
    coverage: float
    features: tuple[float, ...]

    @property
    def score(self) -> float:
        """The learned linear score (see `bot.quote_model`)."""
        return quote_score(self.features)


@dataclass(frozen=True, slots=True)
class _Sentences:
    """A passage cut for quoting: its sentence spans, their tokens and the quotable windows."""

    spans: list[tuple[int, int]]
    tokens: list[list[Token]]
    windows: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class _Similarity:
    """Word-vector evidence for one passage (all zeros when similarity is off)."""

    windows: npt.NDArray[np.float64]  # cosine of each window with the question
    passage: float  # cosine of the whole passage with the question
    nearest: Vector  # windows × question terms: cosine of the window's nearest word


def _sentences(
    knowledge: KnowledgeBase, article: Article, passage: Passage, limit: int
) -> _Sentences:
    spans = passage.sentence_spans() or [(passage.start, passage.end)]
    text = article.text
    tokens = [knowledge.analyzer.tokens(text[start:end]) for start, end in spans]
    return _Sentences(spans, tokens, _window_indices(spans, limit, text))


def quote_candidates(
    knowledge: KnowledgeBase,
    article: Article,
    passage: Passage,
    question: _QuestionTerms,
    *,
    answer_type: AnswerType,
    question_text: str,
    bm25_share: float,
    rank: int,
    limit: int = 400,
    vectors: WordVectors | None = None,
) -> list[QuoteCandidate]:
    """Every sentence (and short-sentence pair) of the passage, with its features.

    The features are those of `bot.quote_model.FEATURES`, in that order. With `vectors` and a
    question vector, the two similarity features compare word-vector sums; without, they are 0.
    """
    cut = _sentences(knowledge, article, passage, limit)
    (similarity,) = _similarities([(article.text, cut)], question, vectors)
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
    )


def _candidates(
    text: str,
    passage: Passage,
    cut: _Sentences,
    similarity: _Similarity,
    question: _QuestionTerms,
    answer_type: AnswerType,
    question_text: str,
    bm25_share: float,
    rank: int,
) -> list[QuoteCandidate]:
    """`quote_candidates` once the passage is cut and its similarities known (batched for
    all of a question's passages by `candidate_windows`)."""
    spans, sentence_tokens, windows = cut.spans, cut.tokens, cut.windows
    sentence_seen = [{token.term for token in tokens} for tokens in sentence_tokens]
    sentence_prefixes = [_prefixes(seen) for seen in sentence_seen]
    singles = [
        _coverage_of(seen, prefixes, question)
        for seen, prefixes in zip(sentence_seen, sentence_prefixes, strict=True)
    ]
    everything = set().union(*sentence_seen)
    passage_coverage = _coverage_of(everything, set().union(*sentence_prefixes), question)
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
            coverage = _coverage_of(
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
            _soft_coverage(nearest[number], question, seen),
        )
        candidates.append(QuoteCandidate(start, end, coverage, features))
    return candidates


def _similarities(
    cuts: Sequence[tuple[str, _Sentences]],
    question: _QuestionTerms,
    vectors: WordVectors | None,
) -> list[_Similarity]:
    """For each passage: the word-vector cosine of each window, and of the whole passage,
    with the question; and for each window and question term, the cosine of the window's
    nearest word.

    One batched lookup serves every passage of a question (per-call overhead dominates at
    this size); windows and passages are sums of its sentence rows.
    """
    width = len(question.weights)
    if vectors is None or question.vector is None or question.term_vectors is None:
        return [
            _Similarity(
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
    results: list[_Similarity] = []
    done = 0
    for number, (_, cut) in enumerate(cuts):
        count = len(cut.windows)
        results.append(
            _Similarity(
                similarity[done : done + count],
                float(similarity[len(first_rows) + number]),
                window_nearest[done : done + count],
            )
        )
        done += count
    return results


def _soft_coverage(nearest: Sequence[float], question: _QuestionTerms, seen: set[str]) -> float:
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
    question_terms: _QuestionTerms,
    limit: int,
    vectors: WordVectors | None = None,
) -> Iterator[PassageCandidates]:
    """The best BM25 passages, each with every quote candidate it offers: the first
    `RERANK_ALWAYS`, then those up to `RERANK_DEPTH` scoring at least `RERANK_MIN_SHARE` of
    the best.

    Shared by `answer_question` and the scorer's fitting script, so both see the same
    candidates with the same features.
    """
    hits = knowledge.index.search(terms, RERANK_DEPTH)
    if not hits:
        return
    top_score = hits[0][1] if hits[0][1] > 0 else 1.0
    hits = [
        (passage_id, score)
        for rank, (passage_id, score) in enumerate(hits)
        if rank < RERANK_ALWAYS or score >= RERANK_MIN_SHARE * top_score
    ]
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
    similarities = _similarities(cuts, question_terms, vectors)
    for rank, ((article, passage, score), (_, cut), similarity) in enumerate(
        zip(found, cuts, similarities, strict=True)
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
        )
        yield PassageCandidates(article, passage, score, candidates)


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


def _sentence_stats(tokens: Sequence[Token], question: _QuestionTerms) -> _SentenceStats:
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
    question: _QuestionTerms,
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


def _surface_words(knowledge: KnowledgeBase, question: str, terms: Sequence[str]) -> list[str]:
    """The question's own words for some index terms (`football`, not the stem `footbal`)."""
    wanted = set(terms)
    words: dict[str, str] = {}
    for token in knowledge.analyzer.tokens(question):
        if token.term in wanted and token.term not in words:
            words[token.term] = question[token.start : token.end]
    return [words.get(term, term) for term in terms]


def confidence_signals(question: _QuestionTerms, best: Finding) -> tuple[float, ...]:
    """`bot.confidence.SIGNALS` for the best finding.

    All describe how well the quote and its passage answer the question, never how the
    best passage compares with others: margins over the runner-up depend on how many
    passages there are (in a three-passage knowledge base every margin is wide).
    """
    known = 1.0 - sum(question.weights[term] for term in question.unknown) / question.total
    features = dict(zip(FEATURES, best.features, strict=True))
    return (
        known,
        best.coverage,
        features["soft_coverage"],
        features["window_similarity"],
        features["passage_similarity"],
        features["bigram_share"],
    )


def confidence_label(confidence: float) -> str:
    """A word for a number, shared by every front end."""
    if confidence >= 0.8:
        return "high"
    if confidence >= 0.6:
        return "medium"
    return "low"


def _invalid(question: str, message: str, started: float) -> Answer:
    return Answer(question, AnswerStatus.INVALID_QUESTION, message, None, (), 0.0, _ms(started))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def answer_question(
    knowledge: KnowledgeBase,
    question: str,
    *,
    alternatives: int = 4,
    max_question_chars: int = 500,
    quote_max_chars: int = 400,
    abstain_threshold: float = 0.5,
    semantic: bool = True,
) -> Answer:
    """Answer one question from the knowledge base; never raises on any input string.

    `semantic` adds the word-vector similarity features (`bot.semantics`) to quote choice.
    """
    started = time.perf_counter()
    question = question.strip()
    if not question:
        return _invalid(question, "Please ask a question — the message was empty.", started)
    if len(question) > max_question_chars:
        return _invalid(
            question[:max_question_chars],
            f"That question is {len(question):,} characters long; please keep it under "
            f"{max_question_chars:,}.",
            started,
        )
    terms = knowledge.analyzer.terms(question)
    if not terms:
        return Answer(
            question,
            AnswerStatus.NOT_FOUND,
            "The question has no searchable words; try naming who or what you are asking about.",
            None,
            (),
            0.0,
            _ms(started),
        )
    vectors = shared_word_vectors() if semantic else None
    question_terms = _question_terms(knowledge, terms, question, vectors)
    matched = set(question_terms.weights)
    findings: list[tuple[float, Finding]] = []
    for hit in candidate_windows(
        knowledge, question, terms, question_terms, quote_max_chars, vectors
    ):
        # Ties go to the earlier candidate: a single sentence before a pair.
        chosen = max(hit.candidates, key=lambda candidate: candidate.score)
        quote = make_quote(knowledge, hit.article, chosen.start, chosen.end, set(), quote_max_chars)
        finding = Finding(
            hit.article,
            hit.passage,
            hit.score,
            chosen.coverage,
            quote,
            chosen.features,
        )
        findings.append((chosen.score, finding))
    if not findings:
        return Answer(
            question,
            AnswerStatus.NOT_FOUND,
            "None of the articles mention the words in this question.",
            None,
            (),
            0.0,
            _ms(started),
        )
    findings.sort(key=lambda item: (-item[0], item[1].passage.article_id, item[1].passage.ordinal))
    ranked = [finding for _, finding in findings]
    shown = [0]
    seen_articles = {ranked[0].article.id}
    for position, finding in enumerate(ranked[1:], start=1):
        if len(shown) > alternatives:
            break
        if finding.article.id not in seen_articles:
            seen_articles.add(finding.article.id)
            shown.append(position)
    # Only the findings shown get their matched words marked (analysing a quote is the
    # costliest step of an answer).
    for position in shown:
        finding = ranked[position]
        quote = make_quote(
            knowledge,
            finding.article,
            finding.quote.start,
            finding.quote.end,
            matched,
            quote_max_chars,
        )
        ranked[position] = replace(finding, quote=quote)
    best = ranked[0]
    others = [ranked[position] for position in shown[1:]]
    signals = confidence_signals(question_terms, best)
    confidence = confidence_from(signals, semantic=vectors is not None)
    if confidence < abstain_threshold:
        missing = ", ".join(_surface_words(knowledge, question, question_terms.unknown[:3]))
        reason = (
            "The articles do not say: no passage covers enough of the question"
            + (f" (no article mentions {missing})" if missing else "")
            + "."
        )
        return Answer(
            question,
            AnswerStatus.NOT_FOUND,
            reason,
            best,
            tuple(others),
            confidence,
            _ms(started),
            tuple(ranked),
            signals,
        )
    return Answer(
        question,
        AnswerStatus.ANSWERED,
        "",
        best,
        tuple(others),
        confidence,
        _ms(started),
        tuple(ranked),
        signals,
    )

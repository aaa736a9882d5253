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

import time
from dataclasses import replace

from bot.answers.candidates import candidate_windows
from bot.answers.confidence import confidence_from
from bot.answers.model import Answer, AnswerStatus, Finding
from bot.answers.neural import NeuralStage
from bot.answers.quote_model import FEATURES, lacks_asked_kind
from bot.answers.quotes import make_quote
from bot.answers.terms import QuestionTerms, surface_words, weigh_question
from bot.answers.word_vectors import shared_word_vectors
from bot.knowledge import KnowledgeBase
from bot.settings import default

NEURAL_PASSAGE = FEATURES.index("neural_passage")

# The most confidence a quote gets when the question asks for a number, a time or a name and
# the quote has none: "medium" at most (`confidence_label`), never "high". Not lower: the
# kinds are found by patterns, and on squad-dev the 2.6% of answers this caps still held the
# gold answer 91% of the time (capping them at 0.55 instead would make every one an
# abstention for thresholds above 0.55).
MISSING_KIND_CONFIDENCE = 0.79


def confidence_signals(question: QuestionTerms, best: Finding) -> tuple[float, ...]:
    """`bot.answers.confidence.SIGNALS` for the best finding.

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
        features["neural_window"],
        features["neural_passage"],
    )


def _invalid(question: str, message: str, started: float) -> Answer:
    return Answer(question, AnswerStatus.INVALID_QUESTION, message, None, (), 0.0, _ms(started))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def answer_question(
    knowledge: KnowledgeBase,
    question: str,
    *,
    alternatives: int = default("alternatives"),
    max_question_chars: int = default("max_question_chars"),
    quote_max_chars: int = default("quote_max_chars"),
    abstain_threshold: float = default("abstain_threshold"),
    semantic: bool = default("semantic_similarity"),
    neural: NeuralStage | None = None,
) -> Answer:
    """Answer one question from the knowledge base; never raises on any input string.

    `semantic` adds the word-vector similarity features (`bot.answers.word_vectors`) to quote
    choice; `neural` re-ranks BM25's candidates with the sentence encoder
    (`bot.answers.neural`; None: BM25-only).
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
    question_terms = weigh_question(knowledge, terms, question, vectors)
    matched = set(question_terms.weights)
    findings: list[tuple[float, Finding]] = []
    neural_used = False
    for hit in candidate_windows(
        knowledge, question, terms, question_terms, quote_max_chars, vectors, neural
    ):
        # Ties go to the earlier candidate: a single sentence before a pair.
        chosen = max(hit.candidates, key=lambda candidate: candidate.score)
        neural_used = chosen.neural  # all of a question's candidates have the stage or none
        quote = make_quote(knowledge, hit.article, chosen.start, chosen.end, set(), quote_max_chars)
        finding = Finding(
            hit.article,
            hit.passage,
            hit.score,
            chosen.coverage,
            quote,
            chosen.features,
            chosen.score,
            chosen.features[NEURAL_PASSAGE] if chosen.neural else None,
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
    confidence = confidence_from(signals, semantic=vectors is not None, neural=neural_used)
    if lacks_asked_kind(best.features):
        # "How many …?" answered by a quote without a number is never high confidence.
        confidence = min(confidence, MISSING_KIND_CONFIDENCE)
    if confidence < abstain_threshold:
        missing = ", ".join(surface_words(knowledge, question, question_terms.unknown[:3]))
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

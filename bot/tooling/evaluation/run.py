"""`dateline eval`: answer quality on a folder with `corpus.jsonl` and `questions.jsonl`.

Two protocols (scoring as defined in `../shared/data/README.md`):
- answerable: the whole corpus is the knowledge; answer-in-quote (a gold answer occurs in
  the quote, case-insensitive, whitespace-normalised; an abstention counts as a miss),
  article@1, passage recall@1/@5, MRR@10, median quote length, abstention rate;
- unanswerable: a deterministic half of the articles (by a hash of the id) is withheld;
  abstention on questions whose article was withheld, answer-in-quote on the rest.
Per-question confidences are kept so the abstention threshold can be swept afterwards
(`sweep`) without re-running retrieval: this is what draws the trade-off curve.
"""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.answers import Answer, answer_question
from bot.answers.model import HIGH_CONFIDENCE
from bot.answers.neural import shared_stage
from bot.errors import DatelineError
from bot.knowledge import KnowledgeBase, LoadReport, assemble, collapse_whitespace, load_articles
from bot.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
THRESHOLDS = tuple(round(step * 0.02, 2) for step in range(51))


class EvalQuestion(BaseModel):
    """One line of `questions.jsonl`."""

    model_config = ConfigDict(extra="ignore")

    id: str
    question: str
    answers: list[str]
    article_id: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """One question's result, kept small so thresholds can be swept later."""

    confidence: float
    hit: bool  # a gold answer is in the best quote (whether or not Dateline abstained)
    article_hit: bool
    passage_rank: int | None  # 1-based rank of the first passage holding the answer
    quote_chars: int
    answered: bool


@dataclass(frozen=True, slots=True)
class ProtocolResult:
    """Outcomes of one protocol, split into answerable and unanswerable questions."""

    answerable: tuple[Outcome, ...]
    unanswerable: tuple[Outcome, ...] = ()


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """Everything `dateline eval` reports."""

    folder: str
    threshold: float
    questions: int
    articles: int
    passages: int
    full: ProtocolResult
    withheld: ProtocolResult | None
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)

    def metrics(self) -> dict[str, Any]:
        """The headline numbers at the configured threshold."""
        full = self.full.answerable
        result: dict[str, Any] = {
            "answer_in_quote": answer_in_quote(full, self.threshold),
            "answer_in_quote_no_abstention": answer_in_quote(full, 0.0),
            "article_at_1": _mean(outcome.article_hit for outcome in full),
            "passage_recall_at_1": _mean(
                o.passage_rank is not None and o.passage_rank <= 1 for o in full
            ),
            "passage_recall_at_5": _mean(
                o.passage_rank is not None and o.passage_rank <= 5 for o in full
            ),
            "mrr_at_10": _mean(
                1.0 / o.passage_rank if o.passage_rank is not None and o.passage_rank <= 10 else 0.0
                for o in full
            ),
            "median_quote_chars": statistics.median(o.quote_chars for o in full) if full else 0,
            "abstention_rate": abstention(full, self.threshold),
            # How often Dateline says "high" (confidence_label) and how often it is then right.
            "high_confidence_share": _mean(o.confidence >= HIGH_CONFIDENCE for o in full),
            "high_confidence_precision": _mean(
                o.hit for o in full if o.confidence >= HIGH_CONFIDENCE
            ),
        }
        if self.withheld is not None:
            kept = self.withheld.answerable
            result["unanswerable"] = {
                "withheld_questions": len(self.withheld.unanswerable),
                "kept_questions": len(kept),
                "abstention_on_withheld": abstention(self.withheld.unanswerable, self.threshold),
                "answer_in_quote_kept": answer_in_quote(kept, self.threshold),
                "answer_in_quote_kept_no_abstention": answer_in_quote(kept, 0.0),
            }
        return result

    def sweep(self) -> list[dict[str, float]]:
        """The trade-off across thresholds: answer-in-quote vs abstention on unanswerable."""
        rows = []
        for threshold in THRESHOLDS:
            row = {
                "threshold": threshold,
                "answer_in_quote": answer_in_quote(self.full.answerable, threshold),
            }
            if self.withheld is not None:
                row["abstention_on_withheld"] = abstention(self.withheld.unanswerable, threshold)
                row["answer_in_quote_kept"] = answer_in_quote(self.withheld.answerable, threshold)
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """JSON for `--json`."""
        return {
            "folder": self.folder,
            "threshold": self.threshold,
            "questions": self.questions,
            "articles": self.articles,
            "passages": self.passages,
            "seconds": round(self.seconds, 2),
            "settings": self.settings,
            "metrics": self.metrics(),
            "sweep": self.sweep(),
        }


def _mean(values: Any) -> float:
    items = [float(value) for value in values]
    return sum(items) / len(items) if items else 0.0


def answer_in_quote(outcomes: Sequence[Outcome], threshold: float) -> float:
    """Share of questions answered (confidence ≥ threshold) with a gold answer in the quote."""
    return _mean(outcome.hit and outcome.confidence >= threshold for outcome in outcomes)


def abstention(outcomes: Sequence[Outcome], threshold: float) -> float:
    """Share of questions Dateline would answer "not found" at this threshold."""
    return _mean(outcome.confidence < threshold for outcome in outcomes)


def normalise(text: str) -> str:
    """Case-insensitive, whitespace-normalised form for answer matching."""
    return collapse_whitespace(text).casefold()


def score_answer(answer: Answer, question: EvalQuestion) -> Outcome:
    """Compare one answer with the gold answers."""
    golds = [normalise(gold) for gold in question.answers if gold.strip()]
    best = answer.best
    quote = normalise(best.quote.text) if best is not None else ""
    passage_rank: int | None = None
    for rank, finding in enumerate(answer.candidates, start=1):
        if finding.article.record_id != question.article_id:
            continue
        passage = normalise(finding.passage.text)
        if any(gold in passage for gold in golds):
            passage_rank = rank
            break
    return Outcome(
        confidence=answer.confidence,
        hit=best is not None and any(gold in quote for gold in golds),
        article_hit=best is not None and best.article.record_id == question.article_id,
        passage_rank=passage_rank,
        quote_chars=len(best.quote.text) if best is not None else 0,
        answered=answer.answered,
    )


def load_questions(path: Path, limit: int | None = None) -> list[EvalQuestion]:
    """Read `questions.jsonl`; a bad line is an error (an eval set must be clean)."""
    questions: list[EvalQuestion] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DatelineError(f"cannot read {path}: {error.strerror or error}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            questions.append(EvalQuestion.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as error:
            raise DatelineError(
                f"{path}:{number}: invalid question: {collapse_whitespace(str(error))[:160]}"
            ) from None
        if limit is not None and len(questions) >= limit:
            break
    return questions


def withheld(article_id: str) -> bool:
    """The deterministic half of the articles left out in the unanswerable protocol."""
    return hashlib.sha256(article_id.encode("utf-8")).digest()[0] % 2 == 1


def withheld_knowledge(report: LoadReport, settings: Settings) -> tuple[KnowledgeBase, set[str]]:
    """The unanswerable protocol's knowledge base (the `withheld` half of the articles left
    out) and the record ids of the articles it kept."""
    kept = tuple(
        article for article in report.articles if not withheld(article.record_id or article.id)
    )
    kept_ids = {article.record_id for article in kept if article.record_id is not None}
    return assemble(replace(report, articles=kept), settings), kept_ids


def _run(
    knowledge: KnowledgeBase,
    questions: Sequence[EvalQuestion],
    settings: Settings,
    progress: Progress | None,
    label: str,
) -> list[tuple[EvalQuestion, Outcome]]:
    outcomes = []
    _, neural = shared_stage(settings)
    for number, question in enumerate(questions, start=1):
        answer = answer_question(
            knowledge,
            question.question,
            alternatives=0,
            max_question_chars=max(settings.max_question_chars, 2000),
            quote_max_chars=settings.quote_max_chars,
            abstain_threshold=settings.abstain_threshold,
            semantic=settings.semantic_similarity,
            neural=neural,
        )
        outcomes.append((question, score_answer(answer, question)))
        if progress is not None and number % 500 == 0:
            progress(f"{label}: {number:,}/{len(questions):,} questions")
    if neural is not None:
        neural.vectors.flush()  # a second run reads them instead of embedding again
    return outcomes


def run_evaluation(
    folder: Path,
    settings: Settings,
    *,
    limit: int | None = None,
    unanswerable: bool = True,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Run both protocols on `folder` and keep per-question outcomes."""
    started = time.perf_counter()
    corpus, questions_path = folder / "corpus.jsonl", folder / "questions.jsonl"
    if not corpus.is_file() or not questions_path.is_file():
        raise DatelineError(f"{folder} needs corpus.jsonl and questions.jsonl")
    questions = load_questions(questions_path, limit)
    report = load_articles([corpus], settings.max_file_bytes)
    knowledge = assemble(report, settings)
    full = _run(knowledge, questions, settings, progress, "answerable")
    withheld_result: ProtocolResult | None = None
    if unanswerable:
        partial, kept_ids = withheld_knowledge(report, settings)
        outcomes = _run(partial, questions, settings, progress, "unanswerable")
        withheld_result = ProtocolResult(
            answerable=tuple(o for q, o in outcomes if q.article_id in kept_ids),
            unanswerable=tuple(o for q, o in outcomes if q.article_id not in kept_ids),
        )
    return EvaluationResult(
        folder=str(folder),
        threshold=settings.abstain_threshold,
        questions=len(questions),
        articles=knowledge.article_count,
        passages=knowledge.passage_count,
        full=ProtocolResult(answerable=tuple(outcome for _, outcome in full)),
        withheld=withheld_result,
        seconds=time.perf_counter() - started,
        settings={
            "passage_words": settings.passage_words,
            "bm25_variant": settings.bm25_variant,
            "language": settings.language,
            "abstain_threshold": settings.abstain_threshold,
            "semantic_similarity": settings.semantic_similarity,
            "reranker": shared_stage(settings)[1] is not None,
        },
    )

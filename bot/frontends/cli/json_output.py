"""The JSON forms other tools rely on (documented in the README): answers and articles."""

from __future__ import annotations

from typing import Any

from bot.answers import Answer, Finding
from bot.knowledge import Article, Dateline, KnowledgeBase, LoadProblem, collapse_whitespace


def dateline_json(dateline: Dateline | None) -> dict[str, Any] | None:
    """`{as_written, display, place, date, agency}` or None."""
    if dateline is None:
        return None
    return {
        "as_written": dateline.as_written,
        "display": dateline.display,
        "place": dateline.place,
        "date": dateline.date,
        "agency": dateline.agency,
    }


def article_json(article: Article) -> dict[str, Any]:
    """The article fields an answer carries."""
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published": article.published,
    }


def problem_json(problem: LoadProblem) -> dict[str, Any]:
    """`{file, line, reason, fatal}`."""
    return {
        "file": problem.file,
        "line": problem.line,
        "reason": problem.reason,
        "fatal": problem.fatal,
    }


def _rounded(value: float | None) -> float | None:
    return round(value, 6) if value is not None else None


def _passage_json(finding: Finding) -> dict[str, Any]:
    return {
        "article_id": finding.passage.article_id,
        "passage_index": finding.passage.ordinal,
        "score": round(finding.score, 6),
        "rerank_score": round(finding.rerank_score, 6),
        "neural_similarity": _rounded(finding.neural_similarity),
        "text": collapse_whitespace(finding.passage.text),
    }


def _alternative_json(finding: Finding) -> dict[str, Any]:
    return {
        "quote": finding.quote.text,
        "article": article_json(finding.article),
        "dateline": dateline_json(finding.article.dateline),
        "score": round(finding.score, 6),
    }


def answer_json(answer: Answer, question_id: Any = None) -> dict[str, Any]:
    """The documented JSON answer; the closest passage is present even when not answered."""
    best = answer.best
    answered = answer.answered and best is not None
    return {
        "id": question_id,
        "question": answer.question,
        "answered": answered,
        "status": answer.status.value,
        "message": answer.message or None,
        "quote": best.quote.text if answered and best is not None else None,
        "matched_terms": list(best.quote.matched_terms) if answered and best is not None else [],
        "article": article_json(best.article) if answered and best is not None else None,
        "dateline": dateline_json(best.article.dateline) if answered and best is not None else None,
        "score": round(best.score, 6) if best is not None else 0.0,
        "confidence": round(answer.confidence, 4),
        "reranker": "neural" if best is not None and best.neural_similarity is not None else "bm25",
        "rerank_score": round(best.rerank_score, 6) if best is not None else None,
        "neural_similarity": _rounded(best.neural_similarity) if best is not None else None,
        "passages": [_passage_json(finding) for finding in answer.findings],
        "alternatives": [_alternative_json(finding) for finding in answer.alternatives],
        "elapsed_ms": round(answer.elapsed_ms, 3),
    }


def knowledge_json(knowledge: KnowledgeBase) -> dict[str, Any]:
    """`dateline check --json`: every article with its passage count, and every problem."""
    counts = knowledge.passage_counts()
    return {
        "articles": [
            {
                "id": article.id,
                "title": article.title,
                "source_file": article.source_file,
                "passages": counts.get(article.id, 0),
                "dateline": dateline_json(article.dateline),
                "source": article.source,
                "url": article.url,
                "published": article.published,
            }
            for article in knowledge.articles
        ],
        "problems": [problem_json(problem) for problem in knowledge.report.problems],
        "passages": knowledge.passage_count,
    }

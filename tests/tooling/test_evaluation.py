"""Evaluation: scoring rules, the deterministic withheld half, and the threshold sweep."""

from __future__ import annotations

import json
from pathlib import Path

from bot.settings import load_settings
from bot.tooling.evaluation import (
    Outcome,
    abstention,
    answer_in_quote,
    normalise,
    run_evaluation,
    withheld,
)


def _outcome(confidence: float, hit: bool) -> Outcome:
    return Outcome(confidence, hit, hit, 1 if hit else None, 100, confidence >= 0.5)


def test_abstention_counts_as_a_miss() -> None:
    outcomes = [_outcome(0.9, True), _outcome(0.2, True), _outcome(0.9, False)]
    assert answer_in_quote(outcomes, 0.0) == 2 / 3
    assert answer_in_quote(outcomes, 0.5) == 1 / 3
    assert abstention(outcomes, 0.5) == 1 / 3


def test_normalise_is_case_and_whitespace_insensitive() -> None:
    assert normalise("  Luigi\n  Di   MAIO ") == "luigi di maio"


def test_withheld_half_is_deterministic_and_about_half() -> None:
    ids = [f"article-{number}" for number in range(2000)]
    first = [withheld(article_id) for article_id in ids]
    assert first == [withheld(article_id) for article_id in ids]
    assert 0.4 < sum(first) / len(first) < 0.6


def test_run_on_a_tiny_set(tmp_path: Path) -> None:
    corpus = [
        {
            "id": "a",
            "title": "Bridge",
            "text": "The old bridge in Harbourtown reopened with 12 new lanes.",
        },
        {
            "id": "b",
            "title": "Bakery",
            "text": "The bakery on Mill Street sold 300 loaves at the fair.",
        },
    ]
    questions = [
        {
            "id": "1",
            "question": "How many lanes does the Harbourtown bridge have?",
            "answers": ["12"],
            "article_id": "a",
        },
        {
            "id": "2",
            "question": "How many loaves did the Mill Street bakery sell?",
            "answers": ["300"],
            "article_id": "b",
        },
    ]
    (tmp_path / "corpus.jsonl").write_text(
        "\n".join(json.dumps(r) for r in corpus), encoding="utf-8"
    )
    (tmp_path / "questions.jsonl").write_text(
        "\n".join(json.dumps(q) for q in questions), encoding="utf-8"
    )
    result = run_evaluation(tmp_path, load_settings(abstain_threshold=0.0))
    metrics = result.metrics()
    assert metrics["answer_in_quote"] == 1.0
    assert metrics["article_at_1"] == 1.0
    assert len(result.sweep()) > 10
    high = [o for o in result.full.answerable if o.confidence >= 0.8]
    assert metrics["high_confidence_share"] == len(high) / 2
    assert metrics["high_confidence_precision"] == (1.0 if high else 0.0)

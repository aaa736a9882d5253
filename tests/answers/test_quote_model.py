"""The quote scorer: one weight per named feature, and a score that is their weighted sum."""

from __future__ import annotations

import math
from pathlib import Path

from bot.answers import FEATURES, AnswerType, quote_candidates, quote_score, weigh_question
from bot.answers.quote_model import WEIGHTS
from bot.knowledge import build_knowledge_base
from bot.settings import load_settings


def test_one_weight_per_feature_and_all_finite() -> None:
    assert len(WEIGHTS) == len(FEATURES) == len(set(FEATURES))
    assert all(math.isfinite(weight) for weight in WEIGHTS)


def test_score_is_the_weighted_sum() -> None:
    features = [float(index) for index in range(len(FEATURES))]
    expected = sum(weight * value for weight, value in zip(WEIGHTS, features, strict=True))
    assert math.isclose(quote_score(features), expected)


def test_candidates_carry_every_feature(knowledge_dir: Path) -> None:
    knowledge = build_knowledge_base(load_settings(), [knowledge_dir])
    terms = knowledge.analyzer.terms("How many jets did Russia send?")
    question = weigh_question(knowledge, terms)
    passage = knowledge.passages[0]
    candidates = quote_candidates(
        knowledge,
        knowledge.article_of(passage),
        passage,
        question,
        answer_type=AnswerType.NUMBER,
        question_text="How many jets did Russia send?",
        bm25_share=1.0,
        rank=0,
    )
    assert candidates
    assert all(len(candidate.features) == len(FEATURES) for candidate in candidates)
    assert all(0.0 <= candidate.coverage <= 1.0 for candidate in candidates)


def test_a_covering_sentence_outscores_an_unrelated_one() -> None:
    covering = [0.0] * len(FEATURES)
    unrelated = [0.0] * len(FEATURES)
    covering[FEATURES.index("coverage")] = 1.0
    covering[FEATURES.index("coverage_squared")] = 1.0
    assert quote_score(covering) > quote_score(unrelated)

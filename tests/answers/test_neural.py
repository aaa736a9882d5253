"""The neural stage in answers: the seed questions keep their answers with it, it reports its
scores, and without it answers are BM25-only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import AnswerStatus, answer_question
from bot.answers.neural import NeuralStage, shared_stage
from bot.knowledge import KnowledgeBase, build_knowledge_base
from bot.settings import Settings, load_settings


@pytest.fixture(scope="module")
def tass() -> KnowledgeBase:
    root = Path(__file__).resolve().parents[2] / "knowledge"
    return build_knowledge_base(load_settings(), [root])


@pytest.fixture(scope="module")
def stage() -> NeuralStage:
    state, found = shared_stage(load_settings(), persist=False)
    assert found is not None, state.reason
    return found


def test_seed_questions_with_the_stage(tass: KnowledgeBase, stage: NeuralStage) -> None:
    planes = answer_question(
        tass, "Who welcomed the first Russian planes at the airfield?", neural=stage
    )
    assert planes.status is AnswerStatus.ANSWERED and planes.best is not None
    assert "Luigi Di Maio" in planes.best.quote.text
    assert planes.best.article.dateline is not None
    assert planes.best.article.dateline.display == "MOSCOW, April 2 /TASS/"
    assert planes.best.neural_similarity is not None and planes.best.neural_similarity > 0.2
    jets = answer_question(tass, "How many jets did Russia send?", neural=stage)
    assert jets.best is not None and "15 jets" in jets.best.quote.text
    australia = answer_question(tass, "What is the capital of Australia?", neural=stage)
    assert australia.status is AnswerStatus.NOT_FOUND


def test_the_stage_scores_every_candidate(tass: KnowledgeBase, stage: NeuralStage) -> None:
    answer = answer_question(tass, "How many jets did Russia send?", neural=stage)
    assert answer.candidates
    assert all(finding.neural_similarity is not None for finding in answer.candidates)
    ordered = [finding.rerank_score for finding in answer.candidates]
    assert ordered == sorted(ordered, reverse=True)


def test_without_the_stage_answers_are_bm25_only(tass: KnowledgeBase) -> None:
    answer = answer_question(tass, "How many jets did Russia send?")
    assert answer.best is not None and "15 jets" in answer.best.quote.text
    assert answer.best.neural_similarity is None


def test_off_by_setting_means_no_stage() -> None:
    state, found = shared_stage(Settings(reranker=False))
    assert found is None and "off" in state.reason


def test_on_demand_limit_falls_back_to_bm25(tass: KnowledgeBase) -> None:
    state, base = shared_stage(load_settings(), persist=False)
    assert base is not None, state.reason
    cold = NeuralStage(base.encoder, type(base.vectors)(base.model_id), on_demand=False)
    answer = answer_question(tass, "How many jets did Russia send?", neural=cold)
    assert answer.best is not None and answer.best.neural_similarity is None

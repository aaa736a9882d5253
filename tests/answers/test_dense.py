"""Dense candidates: a passage BM25 misses but the encoder finds joins the candidates."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import answer_question
from bot.answers.candidates import DENSE_DEPTH, NEURAL_DEPTH
from bot.answers.neural import NeuralStage, shared_stage
from bot.knowledge import KnowledgeBase, build_knowledge_base
from bot.settings import load_settings

# The answer shares no word with the question ("physician" / "doctor", "quit" / "resigned"),
# while many fillers share three ("board", "hospital", "doctor") but mean something else: BM25
# alone never reaches the answer, the encoder puts it first.
QUESTION = "Which doctor resigned from the hospital board?"
ANSWER = "Physician Maria Lopez quit her seat on the clinic's governing panel on Tuesday."


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("dense")
    (folder / "answer.txt").write_text(f"Panel change\n\n{ANSWER}\n", encoding="utf-8")
    for number in range(NEURAL_DEPTH + 10):
        (folder / f"filler-{number:02}.txt").write_text(
            f"Club notice {number}\n\nThe board game club of ward {number} voted on which snacks "
            "to buy; a hospital parking sign and a Doctor Who poster were raffled.\n",
            encoding="utf-8",
        )
    return build_knowledge_base(load_settings(_env_file=None, use_snapshot=False), [folder])


@pytest.fixture(scope="module")
def stage(knowledge: KnowledgeBase) -> NeuralStage:
    state, found = shared_stage(load_settings(), persist=False)
    assert found is not None, state.reason
    fresh = NeuralStage(found.encoder, type(found.vectors)(found.model_id))
    fresh.embed_missing(list(dict.fromkeys(fresh.knowledge_texts(knowledge))))  # the walk's work
    return fresh


def test_bm25_alone_does_not_reach_the_answer(knowledge: KnowledgeBase) -> None:
    terms = knowledge.analyzer.terms(QUESTION)
    hits = knowledge.index.search(terms, NEURAL_DEPTH)
    ids = {knowledge.passages[passage_id].article_id for passage_id, _ in hits}
    assert "answer" not in ids


def test_the_nearest_passages_join_the_candidates(
    knowledge: KnowledgeBase, stage: NeuralStage
) -> None:
    answer = answer_question(knowledge, QUESTION, neural=stage, alternatives=0)
    found = [finding.article.id for finding in answer.candidates]
    assert "answer" in found
    assert len(found) <= NEURAL_DEPTH + DENSE_DEPTH
    assert answer.best is not None and answer.best.quote.text == ANSWER
    nearest = stage.dense.nearest(knowledge, stage.question_vector(QUESTION), 1)
    assert knowledge.passages[nearest[0]].article_id == "answer"


def test_no_vectors_yet_means_bm25_candidates_only(knowledge: KnowledgeBase) -> None:
    state, found = shared_stage(load_settings(), persist=False)
    assert found is not None, state.reason
    empty = NeuralStage(found.encoder, type(found.vectors)(found.model_id))
    assert empty.dense.nearest(knowledge, empty.question_vector(QUESTION), 5) == []


def test_a_new_knowledge_base_gets_a_new_matrix(
    knowledge: KnowledgeBase, stage: NeuralStage, tmp_path: Path
) -> None:
    (tmp_path / "one.txt").write_text(f"Panel change\n\n{ANSWER}\n", encoding="utf-8")
    small = build_knowledge_base(load_settings(_env_file=None, use_snapshot=False), [tmp_path])
    assert stage.dense.nearest(small, stage.question_vector(QUESTION), 5) == [0]
    assert len(stage.dense.nearest(knowledge, stage.question_vector(QUESTION), 5)) == 5

"""A question that asks for a kind of answer (a number, a time, a name) is never answered with
high confidence by a quote without one, and a quote that has it is preferred (issue: "How many
jets did Russia send?" once quoted "…Russia would send much-needed aid…" with high confidence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import AnswerStatus, answer_question, confidence_label
from bot.answers.answer_types import AnswerType, offers_answer
from bot.answers.confidence import confidence_from
from bot.answers.neural import NeuralStage, shared_stage
from bot.knowledge import KnowledgeBase, build_knowledge_base
from bot.settings import load_settings

BUNDLED = Path(__file__).resolve().parents[2] / "knowledge"

# Five short articles that also mention Russia, jets and sending, none with a count of jets.
JET_STORIES = {
    "air-show.txt": "Air show draws crowds\n\nMilitary jets from Russia and Italy flew over the "
    "bay on Saturday.\n",
    "fleet.txt": "Airline expands fleet\n\nThe airline said it would send its new jets to Italy "
    "next spring.\n",
    "aid.txt": "Aid flights continue\n\nRussia would send much-needed aid to Italy, officials "
    "said, as jets landed in Rome.\n",
    "patrol.txt": "Fighter jets on patrol\n\nRussia sent fighter jets to patrol the border, the "
    "ministry said.\n",
    "demand.txt": "Business jets in demand\n\nDemand for private jets rose as travellers "
    "avoided airports.\n",
}
QUESTION = "How many jets did Russia send?"


@pytest.fixture(scope="module")
def jets_knowledge(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("jets")
    for source in BUNDLED.iterdir():
        if source.is_file():
            (folder / source.name).write_bytes(source.read_bytes())
    for name, text in JET_STORIES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return build_knowledge_base(load_settings(_env_file=None, use_snapshot=False), [folder])


@pytest.fixture(scope="module")
def stage() -> NeuralStage:
    state, found = shared_stage(load_settings(), persist=False)
    assert found is not None, state.reason
    return found


def test_digits_of_a_date_are_not_a_count() -> None:
    assert not offers_answer(AnswerType.NUMBER, "On March 21, the leaders agreed.", QUESTION)
    assert not offers_answer(AnswerType.NUMBER, "It happened on the 3rd of May 2019.", QUESTION)
    assert offers_answer(AnswerType.NUMBER, "On March 22, Russia sent 15 jets.", QUESTION)
    assert offers_answer(AnswerType.NUMBER, "The aid cost 2,000 roubles.", QUESTION)
    assert offers_answer(AnswerType.TIME, "On March 21, the leaders agreed.", "When?")


def test_with_the_stage_the_quote_with_the_number_wins(
    jets_knowledge: KnowledgeBase, stage: NeuralStage
) -> None:
    answer = answer_question(jets_knowledge, QUESTION, neural=stage)
    assert answer.best is not None and "15 jets" in answer.best.quote.text


def test_without_the_number_the_answer_is_never_high_confidence(
    jets_knowledge: KnowledgeBase,
) -> None:
    # BM25-only, the long TASS passage ranks below the short stories and is not re-ranked.
    answer = answer_question(jets_knowledge, QUESTION)
    assert answer.best is not None and "much-needed aid" in answer.best.quote.text
    assert confidence_label(answer.confidence) == "medium"  # never "high" without a number
    assert confidence_label(confidence_from(answer.signals)) == "high"  # as it was before
    assert answer.status is AnswerStatus.ANSWERED  # the closest passage is still shown


def test_an_untyped_question_is_not_capped(jets_knowledge: KnowledgeBase) -> None:
    answer = answer_question(jets_knowledge, "Why did jets fly over the bay?")
    assert answer.best is not None and "bay" in answer.best.quote.text
    assert answer.confidence == confidence_from(answer.signals)  # nothing asked: no cap

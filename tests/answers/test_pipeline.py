"""Answers: the supporting quote, highlights, alternatives, abstention and bad questions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import (
    RERANK_ALWAYS,
    RERANK_DEPTH,
    AnswerStatus,
    AnswerType,
    answer_question,
    candidate_windows,
    candidates,
    expected_answer_type,
    offers_answer,
    weigh_question,
)
from bot.answers.quotes import _densest_run
from bot.knowledge import KnowledgeBase, build_knowledge_base
from bot.settings import load_settings


@pytest.fixture(scope="module")
def tass() -> KnowledgeBase:
    root = Path(__file__).resolve().parents[2] / "knowledge"
    return build_knowledge_base(load_settings(), [root])


def test_who_welcomed_the_planes(tass: KnowledgeBase) -> None:
    answer = answer_question(tass, "Who welcomed the first Russian planes at the airfield?")
    assert answer.status is AnswerStatus.ANSWERED
    assert answer.best is not None
    assert "Luigi Di Maio" in answer.best.quote.text
    assert answer.best.article.dateline is not None
    assert answer.best.article.dateline.display == "MOSCOW, April 2 /TASS/"


def test_how_many_jets(tass: KnowledgeBase) -> None:
    answer = answer_question(tass, "How many jets did Russia send?")
    assert answer.answered and answer.best is not None
    assert "15 jets" in answer.best.quote.text


def test_capital_of_australia_is_not_found(tass: KnowledgeBase) -> None:
    answer = answer_question(tass, "What is the capital of Australia?")
    assert answer.status is AnswerStatus.NOT_FOUND
    assert answer.message


def test_weak_evidence_abstains_but_shows_closest(tass: KnowledgeBase) -> None:
    answer = answer_question(
        tass, "Which football club did Italy's prime minister support as a boy?"
    )
    assert answer.status is AnswerStatus.NOT_FOUND
    assert answer.best is not None  # the closest passage is shown, labelled by the front end


def test_highlights_mark_matched_words(tass: KnowledgeBase) -> None:
    answer = answer_question(tass, "How many jets did Russia send?")
    assert answer.best is not None
    quote = answer.best.quote
    marked = [quote.text[start:end].lower() for start, end in quote.highlights]
    assert "jets" in marked and "russia" in marked


@pytest.mark.parametrize("question", ["", "   \n\t ", "x" * 501])
def test_bad_questions_get_a_message(tass: KnowledgeBase, question: str) -> None:
    answer = answer_question(tass, question, max_question_chars=500)
    assert answer.status is AnswerStatus.INVALID_QUESTION
    assert answer.message and answer.best is None


def test_stop_words_only_question(tass: KnowledgeBase) -> None:
    answer = answer_question(tass, "What is it?")
    assert answer.status is AnswerStatus.NOT_FOUND
    assert "searchable" in answer.message


def test_alternatives_come_from_other_articles(tmp_path: Path) -> None:
    for number, city in enumerate(["Paris", "Berlin", "Madrid"]):
        (tmp_path / f"{city.lower()}.txt").write_text(
            f"{city} storm\n\nThe storm in {city} damaged {number + 2} bridges on Monday.\n\n"
            f"Officials in {city} promised repairs.\n",
            encoding="utf-8",
        )
    knowledge = build_knowledge_base(load_settings(), [tmp_path])
    answer = answer_question(
        knowledge, "How many bridges did the storm in Berlin damage?", alternatives=2
    )
    assert answer.best is not None and "Berlin" in answer.best.quote.text
    assert len(answer.alternatives) == 2
    ids = {answer.best.article.id} | {finding.article.id for finding in answer.alternatives}
    assert len(ids) == 3


def test_long_sentence_is_trimmed_at_a_word_boundary(tmp_path: Path) -> None:
    filler = " ".join(f"clause{i}" for i in range(150))
    (tmp_path / "long.txt").write_text(
        f"The zeppelin landed near the harbour {filler} today.\n", encoding="utf-8"
    )
    knowledge = build_knowledge_base(load_settings(), [tmp_path])
    answer = answer_question(knowledge, "Where did the zeppelin land?", quote_max_chars=200)
    assert answer.best is not None
    text = answer.best.quote.text
    assert len(text) <= 200
    assert text.endswith("…")
    assert "zeppelin" in text


def test_long_sentence_is_cut_where_the_question_words_cluster(tmp_path: Path) -> None:
    filler = " ".join(f"clause{i}" for i in range(60))
    (tmp_path / "long.txt").write_text(
        f"The zeppelin company, {filler}, said its zeppelin airship landed near the harbour"
        " of Kiel on Sunday after the long zeppelin flight.\n",
        encoding="utf-8",
    )
    knowledge = build_knowledge_base(load_settings(), [tmp_path])
    answer = answer_question(
        knowledge, "Where did the zeppelin airship land after the flight?", quote_max_chars=200
    )
    assert answer.best is not None
    text = answer.best.quote.text
    assert len(text) <= 200
    assert text.startswith("…")
    assert "harbour of Kiel" in text  # not the lone match at the start of the sentence


def test_densest_run_prefers_the_cluster_and_the_earliest_tie() -> None:
    spans = [(0, 5), (300, 305), (320, 325), (340, 345)]
    assert _densest_run(spans, 100) == (1, 3)
    assert _densest_run([(0, 5), (200, 205)], 100) == (0, 0)
    assert _densest_run([], 100) == (0, 0)


def test_answer_types() -> None:
    assert expected_answer_type("How many jets did Russia send?") is AnswerType.NUMBER
    assert expected_answer_type("When did the planes land?") is AnswerType.TIME
    assert expected_answer_type("Who welcomed the planes?") is AnswerType.NAME
    assert expected_answer_type("Why did it happen?") is AnswerType.NONE
    assert offers_answer(AnswerType.NUMBER, "Russia sent 15 jets.", "How many jets?")
    assert not offers_answer(AnswerType.NUMBER, "Russia sent jets.", "How many jets?")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=700))
def test_any_question_never_raises(question: str) -> None:
    knowledge = _shared_tass()
    answer = answer_question(knowledge, question)
    assert answer.status in AnswerStatus
    if answer.best is not None:
        assert len(answer.best.quote.text) <= 400
        for start, end in answer.best.quote.highlights:
            assert 0 <= start < end <= len(answer.best.quote.text)


_CACHE: dict[str, KnowledgeBase] = {}


def _shared_tass() -> KnowledgeBase:
    if "tass" not in _CACHE:
        root = Path(__file__).resolve().parents[2] / "knowledge"
        _CACHE["tass"] = build_knowledge_base(load_settings(), [root])
    return _CACHE["tass"]


def test_not_found_names_the_question_words_not_stems(tass: KnowledgeBase) -> None:
    answer = answer_question(tass, "Which football club did the Italian minister support?")
    assert answer.status is AnswerStatus.NOT_FOUND
    assert "football" in answer.message


def test_quotes_never_span_the_dateline(tass: KnowledgeBase) -> None:
    questions = [
        "Is Russia's assistance linked to a political agenda?",
        "Who told a briefing on Thursday that Italians are grateful?",
        "Which football club did the Italian minister support?",
    ]
    for question in questions:
        answer = answer_question(tass, question, abstain_threshold=0.0)
        for finding in answer.findings:
            assert "/TASS/" not in finding.quote.text


def test_answers_without_word_vectors(tass: KnowledgeBase) -> None:
    answer = answer_question(tass, "How many jets did Russia send?", semantic=False)
    assert answer.answered and answer.best is not None
    assert "15 jets" in answer.best.quote.text


def test_confidence_signals_travel_with_the_answer(tass: KnowledgeBase) -> None:
    from bot.answers import SIGNALS

    answer = answer_question(tass, "Who welcomed the first Russian planes at the airfield?")
    assert len(answer.signals) == len(SIGNALS)
    assert all(0.0 <= value <= 1.0 + 1e-6 for value in answer.signals)


def test_question_mostly_unknown_to_the_articles_abstains(tass: KnowledgeBase) -> None:
    answer = answer_question(tass, "Who is the president of France?")
    assert answer.status is AnswerStatus.NOT_FOUND


def test_weak_passages_past_the_first_few_are_not_reranked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "strong.txt").write_text(
        "Zeppelin news\n\nThe zeppelin landed in the harbour of Kiel after a zeppelin race.\n",
        encoding="utf-8",
    )
    for number in range(8):
        (tmp_path / f"weak{number}.txt").write_text(
            f"Harbour note {number}\n\nFishermen repaired nets by the harbour all week.\n",
            encoding="utf-8",
        )
    knowledge = build_knowledge_base(load_settings(), [tmp_path])
    question = "Which zeppelin landed in the harbour of Kiel?"
    terms = knowledge.analyzer.terms(question)
    weights = weigh_question(knowledge, terms, question)

    def reranked() -> int:
        return len(list(candidate_windows(knowledge, question, terms, weights, 400)))

    assert len(knowledge.index.search(terms, RERANK_DEPTH)) == 9
    assert reranked() == RERANK_ALWAYS
    monkeypatch.setattr(candidates, "RERANK_MIN_SHARE", float("-inf"))  # weak scores are < 0
    assert reranked() == 9

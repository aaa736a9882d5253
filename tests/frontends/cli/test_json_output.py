"""The documented JSON forms: the answer and `check --json`."""

from __future__ import annotations

import json
from pathlib import Path

from bot.answers import answer_question
from bot.frontends.cli.json_output import answer_json, knowledge_json
from bot.knowledge import build_knowledge_base
from bot.settings import load_settings

ANSWER_KEYS = {
    "id",
    "question",
    "answered",
    "quote",
    "article",
    "dateline",
    "score",
    "confidence",
    "passages",
}


def test_answered_json(knowledge_dir: Path) -> None:
    knowledge = build_knowledge_base(load_settings(), [knowledge_dir])
    data = answer_json(answer_question(knowledge, "How many jets did Russia send?"), "q7")
    assert set(data) >= ANSWER_KEYS
    assert data["id"] == "q7" and data["answered"] is True
    assert set(data["dateline"]) == {"as_written", "display", "place", "date", "agency"}
    assert set(data["article"]) == {"id", "title", "source", "url", "published"}
    assert {"article_id", "passage_index", "score", "text"} <= set(data["passages"][0])
    json.dumps(data)  # serialisable as is


def test_not_found_json_keeps_the_closest_passage(knowledge_dir: Path) -> None:
    knowledge = build_knowledge_base(load_settings(), [knowledge_dir])
    data = answer_json(answer_question(knowledge, "Which football club did the minister support?"))
    assert data["answered"] is False
    assert data["quote"] is None and data["article"] is None and data["dateline"] is None
    assert data["passages"], "the closest passage is present even when not answered"


def test_knowledge_json(knowledge_dir: Path) -> None:
    data = knowledge_json(build_knowledge_base(load_settings(), [knowledge_dir]))
    (article,) = data["articles"]
    assert set(article) >= {"id", "title", "source_file", "passages", "dateline"}
    assert data["problems"] == []

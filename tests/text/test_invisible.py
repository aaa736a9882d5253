"""Bidi overrides and zero-width characters never reach quotes, titles or /article."""

from __future__ import annotations

import json
from pathlib import Path

from bot.answers import answer_question
from bot.knowledge import assemble, load_articles
from bot.knowledge.articles import load_bytes
from bot.settings import load_settings
from bot.text import strip_invisible
from bot.text.invisible import INVISIBLE_CONTROLS

RLO, PDF, ZWSP, LRI, PDI = "\u202e", "\u202c", "\u200b", "\u2066", "\u2069"


def test_strip_invisible_removes_reordering_and_hiding_characters() -> None:
    assert strip_invisible(f"Pu{ZWSP}tin said {RLO}exe.txt{PDF} and {LRI}x{PDI}") == (
        "Putin said exe.txt and x"
    )
    assert strip_invisible("plain text") == "plain text"
    # The joiners that emoji and Persian spelling need stay.
    assert strip_invisible("👩\u200d💻 می\u200cخواهم") == "👩\u200d💻 می\u200cخواهم"
    assert all(chr(code) not in strip_invisible(chr(code)) for code in INVISIBLE_CONTROLS)


def test_text_files_are_cleaned_when_loaded() -> None:
    data = f"Ti{ZWSP}tle {RLO}lived{PDF}\n\nMOSCOW, April 2 /TASS/. Pu{ZWSP}tin {RLO}won{PDF}.\n"
    (article,) = load_bytes(data.encode("utf-8"), Path("a.txt"), Path(".")).articles
    assert article.title == "Title lived"
    assert not set(article.text) & {RLO, PDF, ZWSP}
    assert "Putin won." in article.text


def test_json_escapes_are_cleaned_too(tmp_path: Path) -> None:
    record = {"title": f"Budget {RLO}cut{PDF}", "text": f"The city{ZWSP} cut the budget by 5%."}
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=True), encoding="utf-8")  # \\u202e escapes
    settings = load_settings(_env_file=None, reranker=False, use_snapshot=False)
    knowledge = assemble(load_articles([path], settings.max_file_bytes), settings)
    (article,) = knowledge.articles
    assert article.title == "Budget cut"
    answer = answer_question(knowledge, "How much did the city cut the budget?")
    assert answer.best is not None and answer.best.quote.text == "The city cut the budget by 5%."

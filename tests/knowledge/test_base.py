"""The knowledge snapshot: passages point into their article, progress is reported."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge import build_knowledge_base
from bot.settings import load_settings


def test_snapshot_links_passages_to_articles(knowledge_dir: Path) -> None:
    knowledge = build_knowledge_base(load_settings(), [knowledge_dir])
    assert knowledge.article_count == 1
    assert knowledge.passage_count == knowledge.index.n_passages
    for passage in knowledge.passages:
        article = knowledge.article_of(passage)
        assert passage.text == article.text[passage.start : passage.end]
    (article,) = knowledge.articles
    assert knowledge.passage_counts() == {article.id: knowledge.passage_count}


def test_progress_is_reported(tmp_path: Path) -> None:
    for number in range(3):
        (tmp_path / f"{number}.txt").write_text(f"Headline {number}\n\nBody number {number}.\n")
    stages: list[tuple[str, int, int]] = []
    build_knowledge_base(load_settings(), [tmp_path], lambda *event: stages.append(event))
    assert ("analyzing", 3, 3) in stages
    assert stages[-1] == ("indexing", 1, 1)


def test_empty_knowledge_does_not_crash(tmp_path: Path) -> None:
    knowledge = build_knowledge_base(load_settings(), [tmp_path])
    assert knowledge.article_count == 0 and knowledge.passage_count == 0
    assert knowledge.index.search(["anything"], 5) == []

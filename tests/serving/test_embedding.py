"""Background embedding: a reload embeds only what changed, and answers are served while
the vectors are still being made."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from bot.serving import KnowledgeService
from bot.serving.embedding import SORT_WINDOW, by_length_in_windows
from bot.settings import Settings


def _write(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(f"{name} headline\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _write(tmp_path, "a.txt", "The lighthouse keeper counted 40 ships in March. Fog came late.")
    _write(tmp_path, "b.txt", "The bakery sold 300 loaves on the festival day. Queues grew.")
    _write(tmp_path, "c.txt", "The orchestra played 12 concerts in the old cathedral.")
    return tmp_path


def _service(folder: Path, tmp_path: Path) -> KnowledgeService:
    settings = Settings(knowledge_paths=[folder], cache_dir=tmp_path / "cache", use_snapshot=False)
    service = KnowledgeService(settings, [folder])
    service.reload()
    assert service.neural is not None, service.neural_state.reason
    return service


def test_a_reload_embeds_only_the_changed_file(folder: Path, tmp_path: Path) -> None:
    service = _service(folder, tmp_path)
    embedder = service.start_background_embedding()
    assert embedder is not None and embedder.wait(60)
    first = embedder.progress
    assert first.embedded == first.total > 0
    _write(folder, "b.txt", "The bakery sold 310 loaves on the festival day. Queues grew.")
    assert service.reload().changed == ("b",)
    assert embedder.wait(60)
    # b's passage and its first sentence are new; its second sentence and a and c are not.
    assert embedder.progress.embedded_now == 2
    assert embedder.progress.embedded == embedder.progress.total


def test_answers_are_served_while_vectors_are_being_made(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _service(folder, tmp_path)
    stage = service.neural
    assert stage is not None
    release = threading.Event()
    real = stage.encode
    walker = "dateline-embedder"

    def slow_in_background(texts: list[str]) -> object:
        if threading.current_thread().name == walker:
            release.wait(30)  # the walk stalls until the answer below is in
        return real(texts)

    monkeypatch.setattr(stage, "encode", slow_in_background)
    embedder = service.start_background_embedding()
    assert embedder is not None
    time.sleep(0.2)
    assert embedder.progress.running
    answer = service.ask("How many ships did the lighthouse keeper count?")
    assert answer.best is not None and "40 ships" in answer.best.quote.text
    assert answer.best.neural_similarity is not None  # its candidates were embedded on demand
    release.set()
    assert embedder.wait(60)
    assert embedder.progress.embedded == embedder.progress.total


def test_off_by_setting(folder: Path, tmp_path: Path) -> None:
    settings = Settings(
        knowledge_paths=[folder], cache_dir=tmp_path / "cache", use_snapshot=False, reranker=False
    )
    service = KnowledgeService(settings, [folder])
    assert service.neural is None
    assert "DATELINE_RERANKER=off" in service.reranker_summary()
    answer = service.ask("How many ships did the lighthouse keeper count?")
    assert answer.best is not None and "40 ships" in answer.best.quote.text
    assert answer.best.neural_similarity is None
    assert service.start_background_embedding() is None


def test_the_walk_sorts_each_window_by_length_and_keeps_every_text() -> None:
    texts = [("x" * (i % 7 + 1)) + str(i) for i in range(SORT_WINDOW + 50)]
    order = by_length_in_windows(list(range(len(texts))), texts)
    assert sorted(order) == list(range(len(texts)))
    first = [len(texts[i]) for i in order[:SORT_WINDOW]]
    assert first == sorted(first)
    assert set(order[:SORT_WINDOW]) == set(range(SORT_WINDOW))  # window by window, in order


def test_the_walk_waits_while_questions_come_in(folder: Path, tmp_path: Path) -> None:
    service = _service(folder, tmp_path / "quiet")
    stage = service.neural
    assert stage is not None
    stop = threading.Event()

    def ask_constantly() -> None:
        while not stop.is_set():
            stage.activity.asked()
            time.sleep(0.05)

    asker = threading.Thread(target=ask_constantly, daemon=True)
    asker.start()
    try:
        embedder = service.start_background_embedding()
        assert embedder is not None
        assert not embedder.wait(1.0)  # a burst is on: nothing is embedded yet
        assert embedder.progress.embedded_now == 0
    finally:
        stop.set()
        asker.join()
    assert embedder.wait(60)  # quiet again: the walk finishes
    assert embedder.progress.embedded == embedder.progress.total

"""KnowledgeService: answers, reload reports, failed reloads keep serving, no overlap."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.answers import shared_word_vectors
from bot.errors import ReloadInProgressError
from bot.knowledge import KnowledgeBase, ProgressCallback, build_knowledge_base
from bot.serving import KnowledgeService
from bot.settings import Settings, load_settings


def _write(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(f"{name} headline\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _write(tmp_path, "a.txt", "The lighthouse keeper counted 40 ships in March.")
    _write(tmp_path, "b.txt", "The bakery sold 300 loaves on the festival day.")
    return tmp_path


def test_ask_and_reload_report(folder: Path) -> None:
    service = KnowledgeService(load_settings(), [folder])
    assert (
        "40 ships"
        in (
            service.ask("How many ships did the lighthouse keeper count?").best or _fail()
        ).quote.text
    )
    _write(folder, "c.txt", "The orchestra played 12 concerts in the old cathedral.")
    _write(folder, "a.txt", "The lighthouse keeper counted 41 ships in April.")
    (folder / "b.txt").unlink()
    report = service.reload()
    assert report.ok
    assert report.added == ("c",) and report.removed == ("b",) and report.changed == ("a",)
    assert report.articles == 2 and report.passages >= 2
    assert (
        "41 ships"
        in (
            service.ask("How many ships did the lighthouse keeper count?").best or _fail()
        ).quote.text
    )


def _fail() -> object:
    raise AssertionError("expected an answer")


def test_failed_reload_keeps_the_old_snapshot(folder: Path) -> None:
    calls = {"n": 0}

    def flaky(
        settings: Settings, paths: Sequence[Path] | None, progress: ProgressCallback | None
    ) -> KnowledgeBase:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError("disk vanished halfway")
        return build_knowledge_base(settings, paths, progress)

    service = KnowledgeService(load_settings(), [folder], builder=flaky)
    first = service.reload()
    before = service.knowledge
    report = service.reload()
    assert first.ok and not report.ok
    assert "disk vanished" in (report.error or "")
    assert service.knowledge is before
    assert service.ask("How many loaves were sold by the bakery?").answered
    assert service.last_reload is report


def test_two_reloads_never_overlap(folder: Path) -> None:
    started = threading.Event()
    release = threading.Event()

    def slow(
        settings: Settings, paths: Sequence[Path] | None, progress: ProgressCallback | None
    ) -> KnowledgeBase:
        started.set()
        release.wait(5)
        return build_knowledge_base(settings, paths, progress)

    service = KnowledgeService(load_settings(), [folder], builder=slow)
    worker = threading.Thread(target=service.reload)
    worker.start()
    assert started.wait(5)
    assert service.reloading
    with pytest.raises(ReloadInProgressError):
        service.reload()
    release.set()
    worker.join(5)
    assert service.loaded and not service.reloading


async def test_reload_async_keeps_the_loop_answering(folder: Path) -> None:
    service = KnowledgeService(load_settings(), [folder])
    service.reload()
    release = threading.Event()
    original = service._builder

    def slow(
        settings: Settings, paths: Sequence[Path] | None, progress: ProgressCallback | None
    ) -> KnowledgeBase:
        release.wait(5)
        return original(settings, paths, progress)

    service._builder = slow
    reload_task = asyncio.create_task(service.reload_async())
    await asyncio.sleep(0.05)
    answers = [service.ask("How many loaves were sold by the bakery?") for _ in range(5)]
    assert all(answer.answered for answer in answers)
    release.set()
    report = await asyncio.wait_for(reload_task, 10)
    assert report.ok


def test_reload_reads_the_word_vectors_so_the_first_answer_does_not(folder: Path) -> None:
    shared_word_vectors.cache_clear()
    KnowledgeService(load_settings(semantic_similarity=False), [folder]).reload()
    assert shared_word_vectors.cache_info().currsize == 0
    KnowledgeService(load_settings(), [folder]).reload()
    assert shared_word_vectors.cache_info().currsize == 1

"""Watch mode on a real temporary folder: reloads on change, debounced, ignores hidden paths."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, ProgressCallback, build_knowledge_base
from bot.serving import (
    KnowledgeFilter,
    KnowledgeService,
    ReloadReport,
    WatchUnavailableError,
    start_watching,
    watch,
    watch_knowledge,
)
from bot.settings import Settings, load_settings

needs_watchfiles = pytest.mark.skipif(
    not watch.watch_available(), reason="watchfiles is not installed (pip install watchfiles)"
)
WAIT = 5.0  # seconds any single expected event may take on a busy machine
QUIET = 0.5  # seconds with no expected event to conclude "nothing happened"


def _article(folder: Path, name: str, word: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{word.title()} News\n\nLONDON (Reuters) - The {word} story happened.\n")
    return path


@dataclass
class Watching:
    folder: Path
    service: KnowledgeService
    reports: asyncio.Queue[ReloadReport]
    stop: asyncio.Event
    task: asyncio.Task[int]

    async def next_report(self, timeout: float = WAIT) -> ReloadReport:
        return await asyncio.wait_for(self.reports.get(), timeout)

    async def prime(self) -> None:
        """The OS watch is set up in a thread; touch a file until a reload proves it is live."""
        for attempt in range(20):
            _article(self.folder, "prime.txt", f"prime{attempt}")
            try:
                await self.next_report(timeout=0.5)
            except TimeoutError:
                continue
            await self.settle()
            return
        raise AssertionError("the watcher never reported a change")

    async def settle(self) -> None:
        """Wait for a quiet spell, then forget queued reports."""
        await asyncio.sleep(QUIET)
        while not self.reports.empty():
            self.reports.get_nowait()

    def article_ids(self) -> set[str]:
        return set(self.service.knowledge.articles_by_id)


def _settings(folder: Path) -> Settings:
    return load_settings(knowledge_paths=[folder])


@pytest.fixture
async def watching(tmp_path: Path) -> AsyncIterator[Watching]:
    folder = tmp_path / "knowledge"
    _article(folder, "first.txt", "first")
    service = KnowledgeService(_settings(folder))
    service.reload()
    reports: asyncio.Queue[ReloadReport] = asyncio.Queue()
    stop = asyncio.Event()
    task = asyncio.create_task(
        watch_knowledge(
            service, debounce_ms=300, step_ms=50, stop_event=stop, on_reload=reports.put
        )
    )
    state = Watching(folder, service, reports, stop, task)
    try:
        yield state
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)


@needs_watchfiles
async def test_new_file_is_served_after_an_automatic_reload(watching: Watching) -> None:
    await watching.prime()
    _article(watching.folder, "wire/second.txt", "second")
    report = await watching.next_report()
    assert report.ok
    assert "wire/second" in report.added
    assert watching.article_ids() == {"first", "prime", "wire/second"}
    (watching.folder / "first.txt").unlink()
    report = await watching.next_report()
    assert report.removed == ("first",)


@needs_watchfiles
async def test_a_burst_of_changes_is_one_reload(watching: Watching) -> None:
    await watching.prime()
    for number in range(10):
        _article(watching.folder, f"burst{number}.txt", f"burst{number}")
    first = await watching.next_report()
    extra = 0
    while True:
        try:
            await watching.next_report(timeout=QUIET)
        except TimeoutError:
            break
        extra += 1
    assert extra <= 2, f"10 writes caused {1 + extra} reloads"
    assert first.ok and first.added
    assert {f"burst{n}" for n in range(10)} <= watching.article_ids()


@needs_watchfiles
async def test_trash_temporaries_and_other_files_are_ignored(watching: Watching) -> None:
    await watching.prime()
    _article(watching.folder, ".trash/20240101T000000.000000Z/old.txt", "trashed")
    (watching.folder / ".upload-0123456789abcdef.tmp").write_bytes(b"partial upload")
    (watching.folder / ".first.txt.swp").write_bytes(b"editor swap")
    (watching.folder / "first.txt~").write_bytes(b"editor backup")
    (watching.folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(TimeoutError):
        await watching.next_report(timeout=QUIET)
    _article(watching.folder, "third.txt", "third")  # still watching
    report = await watching.next_report()
    assert report.added == ("third",)


@needs_watchfiles
async def test_stop_event_ends_the_watch_promptly(tmp_path: Path) -> None:
    _article(tmp_path, "a.txt", "alpha")
    service = KnowledgeService(_settings(tmp_path))
    stop = asyncio.Event()
    task = asyncio.create_task(watch_knowledge(service, stop_event=stop, step_ms=50))
    await asyncio.sleep(0.2)
    stop.set()
    assert await asyncio.wait_for(task, 3.0) == 0


@needs_watchfiles
async def test_failed_reload_is_reported_and_watching_goes_on(tmp_path: Path) -> None:
    _article(tmp_path, "a.txt", "alpha")
    calls: list[int] = []

    def flaky(
        settings: Settings, paths: Sequence[Path] | None, progress: ProgressCallback | None
    ) -> KnowledgeBase:
        calls.append(1)
        if (tmp_path / "boom.txt").exists():
            raise OSError("simulated unreadable file")
        return build_knowledge_base(settings, paths, progress)

    service = KnowledgeService(_settings(tmp_path), builder=flaky)
    service.reload()
    reports: asyncio.Queue[ReloadReport] = asyncio.Queue()
    stop = asyncio.Event()
    task = asyncio.create_task(
        watch_knowledge(
            service, debounce_ms=300, step_ms=50, stop_event=stop, on_reload=reports.put
        )
    )
    state = Watching(tmp_path, service, reports, stop, task)
    try:
        await state.prime()
        _article(tmp_path, "boom.txt", "boom")
        failed = await state.next_report()
        assert not failed.ok and "simulated unreadable file" in (failed.error or "")
        assert "boom" not in state.article_ids()  # the previous knowledge keeps serving
        (tmp_path / "boom.txt").unlink()
        _article(tmp_path, "b.txt", "beta")
        recovered = await state.next_report()
        assert recovered.ok and "b" in state.article_ids()
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)


@needs_watchfiles
async def test_callback_errors_do_not_stop_the_watch(tmp_path: Path) -> None:
    _article(tmp_path, "a.txt", "alpha")
    service = KnowledgeService(_settings(tmp_path))
    stop = asyncio.Event()
    seen: list[ReloadReport] = []

    async def broken(report: ReloadReport) -> None:
        seen.append(report)
        raise RuntimeError("callback bug")

    task = asyncio.create_task(
        watch_knowledge(service, debounce_ms=300, step_ms=50, stop_event=stop, on_reload=broken)
    )
    try:
        for number in range(40):
            _article(tmp_path, f"cb{number}.txt", f"cb{number}")
            await asyncio.sleep(0.25)
            if len(seen) >= 2:
                break
        assert len(seen) >= 2 and not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)


async def test_reload_waits_for_a_running_reload_then_runs_again(tmp_path: Path) -> None:
    _article(tmp_path, "a.txt", "alpha")
    gate = threading.Event()
    calls: list[int] = []

    def slow(
        settings: Settings, paths: Sequence[Path] | None, progress: ProgressCallback | None
    ) -> KnowledgeBase:
        calls.append(1)
        if len(calls) == 1:
            assert gate.wait(5)
        return build_knowledge_base(settings, paths, progress)

    service = KnowledgeService(_settings(tmp_path), builder=slow)
    admin_reload = asyncio.create_task(service.reload_async())
    while not service.reloading:
        await asyncio.sleep(0.01)
    watcher_reload = asyncio.create_task(watch._reload(service))
    await asyncio.sleep(0.2)
    assert not watcher_reload.done()  # waiting, not failed
    gate.set()
    first, second = await asyncio.wait_for(asyncio.gather(admin_reload, watcher_reload), WAIT)
    assert first.ok and second is not None and second.ok
    assert len(calls) == 2


def test_filter_keeps_articles_and_folders_only(tmp_path: Path) -> None:
    keep = KnowledgeFilter([tmp_path])
    change = object()
    assert keep(change, str(tmp_path / "a.txt"))
    assert keep(change, str(tmp_path / "wire" / "b.JSONL"))
    assert keep(change, str(tmp_path / "wire"))  # a folder moved in or out
    assert keep(change, str(tmp_path))
    assert not keep(change, str(tmp_path / ".trash" / "x" / "a.txt"))
    assert not keep(change, str(tmp_path / ".upload-ab.tmp"))
    assert not keep(change, str(tmp_path / "wire" / ".a.txt.swp"))
    assert not keep(change, str(tmp_path / "a.txt~"))
    assert not keep(change, str(tmp_path / "a.pdf"))
    assert not keep(change, str(tmp_path.parent / "elsewhere.txt"))


async def test_without_watchfiles_it_degrades_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # import now raises ImportError
    service = KnowledgeService(_settings(tmp_path))
    assert not watch.watch_available()
    with pytest.raises(WatchUnavailableError, match="pip install watchfiles"):
        await watch_knowledge(service)
    with caplog.at_level(logging.ERROR, logger="bot.serving.watch"):
        assert start_watching(service) is None
    assert "watch mode needs the 'watchfiles' package" in caplog.text


@needs_watchfiles
async def test_missing_paths_watch_nothing(tmp_path: Path) -> None:
    service = KnowledgeService(_settings(tmp_path / "absent"))
    assert await asyncio.wait_for(watch_knowledge(service), WAIT) == 0


@needs_watchfiles
async def test_start_watching_runs_in_the_background(tmp_path: Path) -> None:
    _article(tmp_path, "a.txt", "alpha")
    service = KnowledgeService(_settings(tmp_path))
    stop = asyncio.Event()
    task = start_watching(service, stop_event=stop, debounce_ms=300)
    assert task is not None and task.get_name() == "dateline-watch"
    await asyncio.sleep(0.1)
    stop.set()
    assert await asyncio.wait_for(task, WAIT) == 0

"""SnapshotWatcher: adopts what other processes publish, never its own or an older snapshot."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.serving import KnowledgeService, ReloadReport, SnapshotWatcher
from bot.settings import Settings, load_settings
from tests.samples.snapshots import write_corpus


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "knowledge"
    write_corpus(folder)
    return load_settings(
        knowledge_paths=[folder],
        cache_dir=tmp_path / "cache",
        passage_words=20,
        snapshot_poll_seconds=0.05,
    )


async def test_adopts_a_new_publication_once(settings: Settings) -> None:
    here, there = KnowledgeService(settings), KnowledgeService(settings)
    here.reload()
    there.reload()
    changes: list[ReloadReport] = []

    async def changed(report: ReloadReport) -> None:
        changes.append(report)

    watcher = SnapshotWatcher(here, on_change=changed)
    await watcher.start()
    assert await watcher.check() is None  # what was published at start is not news
    (settings.knowledge_paths[0] / "kite.txt").write_text(
        "Kite\n\nA red kite nested on the spire.\n"
    )
    there.reload()  # another process publishes
    report = await watcher.check()
    assert report is not None and report.ok and report.added == ("kite",)
    assert here.snapshot_id == there.snapshot_id and watcher.adopted == 1
    assert [c.added for c in changes] == [("kite",)]
    assert await watcher.check() is None  # seen


async def test_own_publication_is_not_adopted_again(settings: Settings) -> None:
    service = KnowledgeService(settings)
    service.reload()
    watcher = SnapshotWatcher(service)
    await watcher.start()
    (settings.knowledge_paths[0] / "kite.txt").write_text(
        "Kite\n\nA red kite nested on the spire.\n"
    )
    service.reload()
    before = service.knowledge
    assert await watcher.check() is None
    assert service.knowledge is before and watcher.adopted == 0


async def test_runs_in_the_background_until_cancelled(settings: Settings) -> None:
    here, there = KnowledgeService(settings), KnowledgeService(settings)
    here.reload()
    there.reload()
    watcher = SnapshotWatcher(here)
    task = asyncio.create_task(watcher.run())
    await asyncio.sleep(0.1)
    (settings.knowledge_paths[0] / "kite.txt").write_text(
        "Kite\n\nA red kite nested on the spire.\n"
    )
    there.reload()
    for _ in range(100):
        if here.snapshot_id == there.snapshot_id:
            break
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert here.snapshot_id == there.snapshot_id


async def test_a_snapshot_with_other_settings_is_skipped(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    service = KnowledgeService(settings)
    service.reload()
    watcher = SnapshotWatcher(service)
    await watcher.start()
    before = service.knowledge
    KnowledgeService(settings.model_copy(update={"bm25_k1": 0.5})).reload()
    report = await watcher.check()
    assert report is not None and not report.ok
    assert service.knowledge is before
    assert await watcher.check() is None  # logged once, not retried every poll


def test_supported_only_with_snapshots(settings: Settings) -> None:
    assert SnapshotWatcher.supported(KnowledgeService(settings))
    off = settings.model_copy(update={"use_snapshot": False})
    assert not SnapshotWatcher.supported(KnowledgeService(off))

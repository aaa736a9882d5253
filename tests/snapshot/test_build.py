"""SnapshotBuilder: only changed files are re-parsed; stale snapshots are never served.

Each build is compared with a plain `build_knowledge_base` of the same files and settings:
same articles, passages, problems, index arrays and answers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, build_knowledge_base
from bot.serving import KnowledgeService
from bot.settings import Settings, load_settings
from bot.snapshot import SnapshotBuilder
from bot.text import Analyzer
from tests.samples.snapshots import same_knowledge, write_corpus


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "knowledge"
    write_corpus(folder)
    for number in range(6):
        (folder / f"note-{number}.txt").write_text(
            f"Note {number}\n\nThe council approved plan {number} after a long debate. "
            f"Residents of ward {number} welcomed the decision.\n",
            encoding="utf-8",
        )
    return load_settings(knowledge_paths=[folder], cache_dir=tmp_path / "cache", passage_words=20)


_SERVING: list[KnowledgeBase] = []  # what a service would hold: keeps the last build alive


def build(settings: Settings, builder: SnapshotBuilder | None = None) -> SnapshotBuilder:
    """Run a builder, keep its knowledge serving, and check it against a plain build."""
    builder = builder or SnapshotBuilder()
    knowledge = builder(settings)
    same_knowledge(knowledge, build_knowledge_base(settings))
    _SERVING[:] = [knowledge]
    return builder


def stats(builder: SnapshotBuilder) -> tuple[str, int, int]:
    assert builder.last_stats is not None
    return (
        builder.last_stats.mode,
        builder.last_stats.files_parsed,
        builder.last_stats.passages_analyzed,
    )


def test_editing_one_file_reparses_only_that_file(settings: Settings) -> None:
    build(settings)
    folder = settings.knowledge_paths[0]
    (folder / "note-3.txt").write_text(
        "Note 3\n\nThe council rejected plan 3. The mayor promised a new vote in June.\n"
    )
    fresh = build(settings)  # from the snapshot on disk
    mode, parsed, analyzed = stats(fresh)
    assert (mode, parsed) == ("incremental", 1)
    assert analyzed == sum(1 for p in fresh(settings).passages if p.article_id == "note-3")
    (folder / "note-4.txt").write_text("Note 4\n\nThe library extended its opening hours.\n")
    build(settings, fresh)  # from the knowledge in memory
    assert stats(fresh)[:2] == ("incremental", 1)


def test_added_and_removed_files(settings: Settings) -> None:
    builder = build(settings)
    folder = settings.knowledge_paths[0]
    (folder / "note-0.txt").unlink()
    (folder / "weather.txt").write_text("Weather\n\nSnow closed the mountain pass for two days.\n")
    build(settings, builder)
    assert stats(builder)[:2] == ("incremental", 1)


def test_touched_file_is_reused_but_same_size_edit_is_caught(settings: Settings) -> None:
    builder = build(settings)
    path = settings.knowledge_paths[0] / "note-2.txt"
    before = path.stat()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 5_000_000_000))
    build(settings, builder)
    assert stats(builder)[0] == "memory"  # content decides, not mtime
    text = path.read_text()
    path.write_text(text.replace("approved", "rejected"))  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same mtime
    assert path.stat().st_size == before.st_size
    build(settings, builder)
    assert stats(builder)[:2] == ("incremental", 1)


def test_changed_passage_size_rebuilds_everything(settings: Settings) -> None:
    build(settings)
    builder = build(settings.model_copy(update={"passage_words": 40}))
    assert stats(builder)[0] == "full"
    assert builder.last_stats is not None and "settings" in builder.last_stats.reason


def test_changed_bm25_settings_reuse_the_terms(settings: Settings) -> None:
    build(settings)
    builder = build(settings.model_copy(update={"bm25_k1": 0.9, "bm25_b": 0.4}))
    assert stats(builder) == ("incremental", 0, 0)
    assert builder.last_stats is not None and builder.last_stats.reason == "BM25 settings changed"


def test_changed_analyzer_rebuilds_everything(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(settings)
    monkeypatch.setattr(Analyzer, "fingerprint", property(lambda self: "another-analyzer"))
    builder = build(settings)
    assert stats(builder)[0] == "full"


def test_changed_code_rebuilds_everything(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(settings)
    monkeypatch.setattr("bot.snapshot.fingerprints.pipeline_fingerprint", lambda: "edited-code")
    builder = build(settings)
    assert stats(builder)[0] == "full"


def test_duplicate_ids_across_files_stay_correct(settings: Settings) -> None:
    folder = settings.knowledge_paths[0]
    # "clash.md" and "clash.txt" both make the article id "clash": the .md (sorted first) wins.
    (folder / "clash.md").write_text("# Clash\n\nThe first clash story mentions a red kite.\n")
    (folder / "clash.txt").write_text("Clash\n\nThe second clash story mentions a grey heron.\n")
    builder = build(settings)
    assert any("duplicate article id" in p.reason for p in builder(settings).report.problems)
    (folder / "clash.md").unlink()
    build(settings, builder)  # the .txt article must now appear: its file is parsed again
    knowledge = builder(settings)
    assert "grey heron" in knowledge.articles_by_id["clash"].text


def test_missing_path_appears_in_problems(settings: Settings, tmp_path: Path) -> None:
    extra = tmp_path / "later"
    with_extra = settings.model_copy(update={"knowledge_paths": [*settings.knowledge_paths, extra]})
    builder = build(with_extra)
    extra.mkdir()
    build(with_extra, builder)  # the "no such folder" problem must go away
    assert not builder(with_extra).report.problems


def test_service_uses_snapshots_by_default(settings: Settings) -> None:
    service = KnowledgeService(settings)
    assert isinstance(service.builder, SnapshotBuilder)
    assert service.reload().ok and service.snapshot_id is not None
    plain = KnowledgeService(settings.model_copy(update={"use_snapshot": False}))
    assert not isinstance(plain.builder, SnapshotBuilder)
    assert plain.reload().ok and plain.snapshot_id is None


def test_adopt_a_snapshot_published_by_another_process(settings: Settings) -> None:
    first, second = KnowledgeService(settings), KnowledgeService(settings)
    first.reload()
    second.reload()
    assert first.snapshot_id == second.snapshot_id
    folder = settings.knowledge_paths[0]
    (folder / "crane.txt").write_text(
        "Crane\n\nThe harbour crane lifted a record 90 tonnes on Friday.\n"
    )
    report = first.reload()
    assert report.added == ("crane",)
    question = "How many tonnes did the harbour crane lift?"
    before = second.ask(question).best
    assert before is None or "90 tonnes" not in before.quote.text
    adopted = second.adopt_snapshot()
    assert adopted.ok and adopted.added == ("crane",)
    assert second.snapshot_id == first.snapshot_id
    assert "90 tonnes" in (second.ask(question).best or pytest.fail("no answer")).quote.text


def test_adopt_refuses_other_settings(settings: Settings) -> None:
    KnowledgeService(settings).reload()
    other = KnowledgeService(settings.model_copy(update={"bm25_k1": 0.5}))
    other.reload()  # publishes its own snapshot for the same paths
    service = KnowledgeService(settings)
    service.reload()
    before = service.knowledge
    KnowledgeService(settings.model_copy(update={"bm25_k1": 0.7})).reload()
    report = service.adopt_snapshot()
    assert not report.ok and "other settings" in (report.error or "")
    assert service.knowledge is before


def test_cli_index_build_and_status(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.frontends.cli.main import main

    monkeypatch.setenv("DATELINE_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.setenv("DATELINE_PASSAGE_WORDS", "20")
    folder = str(settings.knowledge_paths[0])
    assert main(["index", "status", "--json", "-K", folder]) == 1  # nothing published yet
    capsys.readouterr()
    assert main(["index", "build", "--json", "-K", folder]) == 0
    built = json.loads(capsys.readouterr().out)
    assert built["current"] and built["build"]["mode"] == "full"
    assert main(["index", "status", "--json", "-K", folder]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["snapshot"] == built["snapshot"] and status["reason"] == "up to date"
    (settings.knowledge_paths[0] / "note-1.txt").write_text("Note 1\n\nThe bridge reopened.\n")
    assert main(["index", "status", "--json", "-K", folder]) == 1
    assert "1 file(s) new or changed" in json.loads(capsys.readouterr().out)["reason"]
    assert main(["index", "build", "--json", "-K", folder]) == 0
    rebuilt = json.loads(capsys.readouterr().out)["build"]
    assert (rebuilt["mode"], rebuilt["files_parsed"]) == ("incremental", 1)


def test_status_names_what_changed(settings: Settings) -> None:
    from bot.snapshot import snapshot_status

    build(settings)
    folder = settings.knowledge_paths[0]
    (folder / "note-1.txt").unlink()
    (folder / "note-2.txt").write_text("Note 2\n\nThe tram line was extended to the port.\n")
    status = snapshot_status(settings)
    assert not status["current"] and status["reason"] == "1 file(s) new or changed, 1 removed"


def test_an_empty_knowledge_base_is_saved_and_adopted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = load_settings(knowledge_paths=[empty], cache_dir=tmp_path / "cache")
    first = SnapshotBuilder()(settings, None, None)
    assert first.article_count == 0 and first.snapshot_id is not None
    assert "could not save" not in caplog.text
    again = SnapshotBuilder()(settings, None, None)
    assert again.snapshot_id == first.snapshot_id and again.article_count == 0
    assert SnapshotBuilder().adopt(settings).snapshot_id == first.snapshot_id

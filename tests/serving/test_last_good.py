"""A file that loaded before and fails now keeps its last good version serving, marked stale,
until it loads again or is deleted; the marking survives a restart (the snapshot)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.frontends.cli.main import main
from bot.serving import KnowledgeService
from bot.settings import Settings, load_settings

SHIPS = "Lighthouse news\n\nThe lighthouse keeper counted 40 ships in March.\n"
QUESTION = "How many ships did the lighthouse keeper count?"


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\x01\x02 not text any more")


def _emptied(path: Path) -> None:
    path.write_bytes(b"")


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _truncated_json(path: Path) -> None:
    path.write_text('{"title": "Lighthouse news", "text": "The lighthouse keep', encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "bakery.txt").write_text(
        "Bakery news\n\nThe bakery sold 300 loaves on the festival day.\n", encoding="utf-8"
    )
    return load_settings(
        _env_file=None, knowledge_paths=[folder], cache_dir=tmp_path / "cache", reranker=False
    )


def _quote(service: KnowledgeService) -> str:
    answer = service.ask(QUESTION)
    assert answer.best is not None
    return answer.best.quote.text


@pytest.mark.parametrize(
    ("name", "break_it", "reason"),
    [
        ("ships.txt", _garbage, "binary file"),
        ("ships.txt", _emptied, "empty file"),
        ("ships.txt", _folder, "replaced by a folder"),
        ("ships.json", _truncated_json, "JSON"),
    ],
)
def test_a_broken_file_keeps_its_last_good_version(
    settings: Settings, name: str, break_it: Callable[[Path], None], reason: str
) -> None:
    path = settings.knowledge_paths[0] / name
    if name.endswith(".json"):
        path.write_text(json.dumps({"title": "Lighthouse news", "text": SHIPS}), "utf-8")
    else:
        path.write_text(SHIPS, encoding="utf-8")
    service = KnowledgeService(settings)
    assert service.reload().ok and "40 ships" in _quote(service)

    break_it(path)
    report = service.reload()
    assert report.ok and not report.removed and service.knowledge.article_count == 2
    (stale,) = report.stale
    assert stale.file == path.as_posix() and reason in stale.reason
    assert path.as_posix() in report.summary() and reason in report.summary()
    assert "40 ships" in _quote(service)

    restarted = KnowledgeService(settings)  # a new process: the snapshot keeps the marking
    again = restarted.reload()
    assert [p.file for p in again.stale] == [path.as_posix()]
    assert "40 ships" in _quote(restarted)

    if path.is_dir():
        shutil.rmtree(path)
    fixed_text = SHIPS.replace("40 ships in March", "41 ships in April")
    if name.endswith(".json"):
        fixed_text = json.dumps({"title": "Lighthouse news", "text": fixed_text})
    path.write_text(fixed_text, encoding="utf-8")
    fixed = restarted.reload()
    assert not fixed.stale and "41 ships" in _quote(restarted)


def test_deleting_the_file_removes_its_article_and_says_which(settings: Settings) -> None:
    path = settings.knowledge_paths[0] / "ships.txt"
    path.write_text(SHIPS, encoding="utf-8")
    service = KnowledgeService(settings)
    service.reload()
    _garbage(path)
    assert service.reload().stale
    path.unlink()
    report = service.reload()
    assert report.removed == ("ships",) and not report.stale
    assert "removed: ships" in report.summary()


def test_index_status_names_stale_files(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = settings.knowledge_paths[0] / "ships.txt"
    path.write_text(SHIPS, encoding="utf-8")
    KnowledgeService(settings).reload()
    _garbage(path)
    KnowledgeService(settings).reload()  # publishes the snapshot with the stale file
    monkeypatch.setenv("DATELINE_KNOWLEDGE_PATHS", str(settings.knowledge_paths[0]))
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(settings.cache_dir))
    main(["index", "status", "--json"])
    status = json.loads(capsys.readouterr().out)
    assert status["stale_files"] == [{"file": path.as_posix(), "reason": "binary file, not text"}]

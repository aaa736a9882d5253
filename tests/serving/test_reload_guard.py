"""The reload safety rule: missing paths and mass removals are refused until confirmed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.serving import KnowledgeService
from bot.serving.reload_guard import check_reload
from bot.settings import load_settings


def _write(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(f"{name} headline\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for number, thing in enumerate(("ships", "loaves", "concerts", "bridges")):
        _write(knowledge, f"{thing}.txt", f"The town counted {number + 10} {thing} in March.")
    return knowledge


def _service(folder: Path) -> KnowledgeService:
    settings = load_settings(_env_file=None, reranker=False, use_snapshot=False)
    service = KnowledgeService(settings, [folder])
    assert service.reload().ok
    return service


def test_a_missing_folder_is_refused_and_the_old_knowledge_serves(folder: Path) -> None:
    service = _service(folder)
    folder.rename(folder.with_name("renamed"))
    report = service.reload()
    assert not report.ok and report.needs_confirmation
    assert "does not exist" in (report.error or "") and folder.as_posix() in (report.error or "")
    assert "previous knowledge is still serving" in report.summary()
    assert service.knowledge.article_count == 4
    assert "12 concerts" in (service.ask("How many concerts?").best or pytest.fail()).quote.text

    confirmed = service.reload(force=True)
    assert confirmed.ok and confirmed.articles == 0 and len(confirmed.removed) == 4


def test_removing_most_articles_needs_a_confirmation(folder: Path) -> None:
    service = _service(folder)
    for name in ("ships.txt", "loaves.txt", "concerts.txt"):
        (folder / name).unlink()
    report = service.reload()
    assert report.needs_confirmation and "remove 3 of the 4 articles" in (report.error or "")
    assert service.knowledge.article_count == 4
    assert service.reload(force=True).articles == 1


def test_removing_half_or_less_goes_ahead(folder: Path) -> None:
    service = _service(folder)
    (folder / "ships.txt").unlink()
    (folder / "loaves.txt").unlink()
    report = service.reload()
    assert report.ok and len(report.removed) == 2


def test_the_share_is_a_setting(folder: Path) -> None:
    settings = load_settings(
        _env_file=None, reranker=False, use_snapshot=False, reload_max_removed_share=0.2
    )
    service = KnowledgeService(settings, [folder])
    service.reload()
    (folder / "ships.txt").unlink()
    assert service.reload().needs_confirmation


def test_a_first_load_from_a_missing_path_is_an_error_not_an_empty_bot(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, reranker=False, use_snapshot=False)
    service = KnowledgeService(settings, [tmp_path / "nowhere"])
    report = service.reload(force=True)
    assert not report.ok and not report.needs_confirmation
    with pytest.raises(KnowledgeError, match="does not exist"):
        service.knowledge  # noqa: B018 - the first use loads


def test_check_reload_counts_articles_per_file(folder: Path) -> None:
    serving = {(folder / "ships.txt").as_posix(): 9, (folder / "gone.txt").as_posix(): 1}
    assert check_reload([folder], serving, 0.5) is None
    refusal = check_reload([folder], {(folder / "gone.txt").as_posix(): 3}, 0.5)
    assert refusal is not None and refusal.would_remove == 3

"""Article file management: hostile names, validation before writing, atomic writes, trash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import KnowledgeError
from bot.knowledge import (
    MAX_NAME_CHARS,
    TEMP_PREFIX,
    TEMP_SUFFIX,
    TRASH_DIR,
    ArticleFileExistsError,
    ArticleFileNotFoundError,
    InvalidArticleFileError,
    UnsafeFilenameError,
    UnsafePathError,
    UploadRejectedError,
    UploadTooLargeError,
    add_article_file,
    list_article_files,
    list_trash,
    load_articles,
    remove_article_file,
    remove_stale_temp_files,
    restore_article_file,
    sanitise_filename,
    upload_folder,
)
from bot.knowledge import files as knowledge_files

REPO = Path(__file__).resolve().parents[2]
LIMIT = 1_000_000
STORY = (
    b"Harbour Bridge Reopens After Repairs\n\n"
    b"SYDNEY (Reuters) - The harbour bridge reopened on Monday after two years of work.\n\n"
    b"Traffic was light in the morning, officials said.\n"
)
OTHER = (
    b"Port Strike Ends\n\n"
    b"ROTTERDAM (Reuters) - Dock workers returned on Tuesday after a week-long strike.\n"
)


def _visible(folder: Path) -> list[str]:
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    )


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


# --------------------------------------------------------------------------- names

HOSTILE_NAMES = [
    "",
    "   ",
    "../../x.txt",
    "../x.txt",
    "..",
    ".",
    "/etc/passwd.txt",
    "/abs/story.txt",
    "sub/story.txt",
    "..\\..\\x.txt",
    "C:\\x.txt",
    "C:x.txt",
    "story.txt:stream",
    ".env",
    ".hidden.txt",
    ".trash",
    "-rf.txt",
    "CON",
    "con.txt",
    "Con.Md",
    "PRN.json",
    "aux.jsonl",
    "nul.txt",
    "NUL .txt",
    "COM1.txt",
    "com9.md",
    "LPT1",
    "lpt5.tar.txt",
    "story.exe",
    "story.txt.exe",
    "story",
    "story.",
    "story.txt.",
    "story.html",
    "story.markdown",
    "x" * (MAX_NAME_CHARS + 1) + ".txt",
    "story\x00.txt",
    "story\n.txt",
    "story\r.txt",
    "story\t.txt",
    "sto\u200bry.txt",  # zero-width space
    "sto\u200dry.txt",  # zero-width joiner
    "\ufeffstory.txt",  # byte-order mark
    "story\u202etxt.exe",  # right-to-left override
    "story\u2066.txt",  # bidi isolate
    "sto\u00adry.txt",  # soft hyphen
    "story\u00a0.txt",  # no-break space
    "story\u2028.txt",  # line separator
    "story\uff0etxt",  # fullwidth full stop
    "..\uff0fx.txt",  # fullwidth solidus
    "\uff0e\uff0e/x.txt",
    "story\u2215x.txt",  # division slash
    "story\u2044x.txt",  # fraction slash
    "story\u2024txt",  # one dot leader
    "ﬁle.txt",  # ligature fi
    "Ｓtory.txt",  # fullwidth S
    "story².txt",  # superscript two
    "COM¹.txt",
    "pаypal.txt",  # Cyrillic а among Latin letters
    "αpple.txt",  # Greek alpha among Latin letters
    "@everyone.txt",
    "<@123>.txt",
    "**bold**.md",
    "story|x.txt",
    "story?.txt",
    "story*.txt",
    'story".txt',
    "story<x>.txt",
    "$(rm -rf).txt",
    "`x`.txt",
    "~story.txt",
    "%2e%2e%2fx.txt",
    "story\udcff.txt",  # lone surrogate
    "story\ue000.txt",  # private use
    "._-.txt",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_refused(name: str) -> None:
    with pytest.raises(UnsafeFilenameError) as error:
        sanitise_filename(name)
    message = str(error.value)
    assert message.startswith("file name refused: ")
    # The reply never echoes the raw name (it could ping or inject markup).
    if len(name.strip()) > 3 and not name.strip().isalnum():
        assert name.strip() not in message


@pytest.mark.parametrize(
    ("given_name", "stored"),
    [
        ("story.txt", "story.txt"),
        ("Story-2020_04 (1).TXT", "Story-2020_04 (1).txt"),
        ("report.v2.md", "report.v2.md"),
        ("  spaced name.json  ", "spaced name.json"),
        ("story.TXT ", "story.txt"),
        ("feed.jsonl", "feed.jsonl"),
        ("москва-2020.txt", "москва-2020.txt"),
        ("αθήνα.md", "αθήνα.md"),
        ("東京.txt", "東京.txt"),
        ("café.txt", "café.txt"),
        ("cafe\u0301.txt", "café.txt"),  # decomposed accent, stored composed (NFC)
        ("console.txt", "console.txt"),  # only exact device names are reserved
        ("com10.txt", "com10.txt"),
        ("x" * (MAX_NAME_CHARS - 4) + ".txt", "x" * (MAX_NAME_CHARS - 4) + ".txt"),
    ],
)
def test_ordinary_names_are_kept(given_name: str, stored: str) -> None:
    assert sanitise_filename(given_name) == stored


def test_reasons_name_the_offending_code_point() -> None:
    with pytest.raises(UnsafeFilenameError, match="U\\+202E"):
        sanitise_filename("a\u202etxt.txt")
    with pytest.raises(UnsafeFilenameError, match="U\\+FF0E"):
        sanitise_filename("a\uff0etxt")
    with pytest.raises(UnsafeFilenameError, match="mixes Cyrillic and Latin letters"):
        sanitise_filename("pаypal.txt")
    with pytest.raises(UnsafeFilenameError, match="reserved device name"):
        sanitise_filename("LPT1.txt")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_name_is_refused_cleanly_or_safe(name: str) -> None:
    try:
        stored = sanitise_filename(name)
    except UnsafeFilenameError:
        return
    assert stored == stored.strip() and stored
    assert "/" not in stored and "\\" not in stored and ":" not in stored
    assert not stored.startswith((".", "-"))
    assert Path(stored).suffix in (".txt", ".md", ".json", ".jsonl")
    assert len(stored) <= MAX_NAME_CHARS
    assert all(char.isprintable() for char in stored)


# --------------------------------------------------------------------------- adding


def test_add_reports_title_dateline_and_passages(tmp_path: Path) -> None:
    result = add_article_file(tmp_path, "bridge.txt", STORY, replace=False, max_bytes=LIMIT)
    assert result.path == tmp_path / "bridge.txt"
    assert result.path.read_bytes() == STORY
    assert result.title == "Harbour Bridge Reopens After Repairs"
    assert result.dateline == "SYDNEY (Reuters) -"
    assert result.passage_count >= 1
    assert result.article_ids == ("bridge",)
    assert not result.replaced and result.previous is None
    assert result.warnings == ()
    # The file is what the knowledge base then loads.
    report = load_articles([tmp_path], LIMIT)
    assert [article.id for article in report.articles] == ["bridge"]
    assert _hidden(tmp_path) == []


def test_add_json_with_several_articles(tmp_path: Path) -> None:
    records = [
        {"id": "a", "title": "First", "text": "BERLIN (dpa) - One thing happened today."},
        {"id": "b", "title": "Second", "text": "PARIS (AFP) - Another thing happened."},
    ]
    data = json.dumps(records).encode()
    result = add_article_file(tmp_path, "feed.json", data, replace=False, max_bytes=LIMIT)
    assert result.article_ids == ("feed:a", "feed:b")
    assert [a.title for a in result.articles] == ["First", "Second"]
    assert result.passage_count == 2


def test_cp1252_upload_is_added_with_a_warning(tmp_path: Path) -> None:
    data = "Caf\xe9 Opens\n\nLYON (AFP) - A caf\xe9 opened on Friday.\n".encode("cp1252")
    result = add_article_file(tmp_path, "cafe.txt", data, replace=False, max_bytes=LIMIT)
    assert result.title == "Café Opens"
    assert any("cp1252" in warning.reason for warning in result.warnings)


def _refused_upload(folder: Path, name: str, data: bytes) -> InvalidArticleFileError:
    """The refusal of an upload, after checking that nothing was written."""
    with pytest.raises(InvalidArticleFileError) as error:
        add_article_file(folder, name, data, replace=False, max_bytes=LIMIT)
    assert list(folder.iterdir()) == []
    return error.value


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"   \n\n  ", "empty file"),
        ("binary.txt", b"\x00\x01\x02\xff" * 100, "binary"),
        ("broken.json", b"{not json", "broken JSON"),
        ("nested.json", b"[" * 50_000, "broken JSON"),
        ("list.json", b"[1, 2, 3]", "not a JSON object"),
        ("notext.json", b'{"title": "x"}', "no text"),
        ("partly.jsonl", b'{"text": "fine text here."}\n{broken\n', "broken JSON"),
        ("heading.md", b"# Only a heading\n", "no body"),
    ],
)
def test_invalid_uploads_are_refused_before_writing(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    error = _refused_upload(tmp_path, name, data)
    assert reason in str(error)
    assert error.problems, "the loader's problems come back to the caller"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.txt", b"aaaaaaaaaa", "no sentence of real text"),
        ("b.txt", b"Headline\n\ntest test test test test.\n", "no sentence of real text"),
        ("c.txt", b"Headline\n\n1234 5678 9012.\n", "no sentence of real text"),
        ("d.jsonl", b'{"title": "Vote", "text": "Yes yes yes. No no."}', "no sentence of real"),
    ],
)
def test_uploads_need_a_title_and_a_real_sentence(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    error = _refused_upload(tmp_path, name, data)
    assert reason in str(error) and "needs a title and at least one sentence" in str(error)
    short = b"Council votes\n\nThe council voted yes.\n"  # the smallest real article is fine
    assert add_article_file(tmp_path, "e.txt", short, replace=False, max_bytes=LIMIT).articles


def test_size_limit_is_checked_first(tmp_path: Path) -> None:
    with pytest.raises(UploadTooLargeError, match="over the 100-byte limit"):
        add_article_file(tmp_path, "big.txt", STORY * 10, replace=False, max_bytes=100)
    assert list(tmp_path.iterdir()) == []


def test_wall_of_text_is_cut_into_bounded_passages(tmp_path: Path) -> None:
    wall = ("Headline\n\n" + "lorem ipsum dolor sit amet " * 1000).encode()
    result = add_article_file(tmp_path, "wall.txt", wall, replace=False, max_bytes=LIMIT)
    assert result.passage_count >= 5000 // 150  # 5,000 words, no sentence break
    assert (tmp_path / "wall.txt").read_bytes() == wall


def test_hostile_name_writes_nothing_anywhere(tmp_path: Path) -> None:
    inner = tmp_path / "knowledge"
    inner.mkdir()
    for name in ("../escape.txt", ".env", "CON.txt", "x\u202e.txt"):
        with pytest.raises(UploadRejectedError):
            add_article_file(inner, name, STORY, replace=False, max_bytes=LIMIT)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["knowledge"]


def test_no_overwrite_without_replace(tmp_path: Path) -> None:
    add_article_file(tmp_path, "bridge.txt", STORY, replace=False, max_bytes=LIMIT)
    with pytest.raises(ArticleFileExistsError, match="set replace"):
        add_article_file(tmp_path, "bridge.txt", OTHER, replace=False, max_bytes=LIMIT)
    assert (tmp_path / "bridge.txt").read_bytes() == STORY


def test_replace_keeps_the_previous_version_in_the_trash(tmp_path: Path) -> None:
    add_article_file(tmp_path, "bridge.txt", STORY, replace=False, max_bytes=LIMIT)
    result = add_article_file(tmp_path, "bridge.txt", OTHER, replace=True, max_bytes=LIMIT)
    assert result.replaced and result.previous is not None
    assert (tmp_path / "bridge.txt").read_bytes() == OTHER
    assert result.previous.read_bytes() == STORY
    assert TRASH_DIR in result.previous.parts
    assert _visible(tmp_path) == ["bridge.txt"]
    (entry,) = list_trash(tmp_path)
    assert entry.original == "bridge.txt"


@pytest.mark.parametrize(
    ("existing", "clash"),
    [
        ("bridge.txt", "bridge.md"),  # same article id
        ("bridge.txt", "Bridge.txt"),
        ("bridge.txt", "BRIDGE.json"),
        ("pop.txt", "рор.txt"),  # all Cyrillic, drawn like Latin "pop"
        ("рор.txt", "pop.md"),
    ],
)
def test_look_alike_or_same_id_neighbours_are_refused(
    tmp_path: Path, existing: str, clash: str
) -> None:
    add_article_file(tmp_path, existing, STORY, replace=False, max_bytes=LIMIT)
    data = STORY if not clash.endswith(".json") else json.dumps({"text": "X (AP) - y."}).encode()
    with pytest.raises(ArticleFileExistsError, match="would look the same"):
        add_article_file(tmp_path, clash, data, replace=True, max_bytes=LIMIT)
    assert _visible(tmp_path) == [existing]


def test_existing_folder_of_that_name_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "odd.txt").mkdir()
    with pytest.raises(ArticleFileExistsError, match="not a regular file"):
        add_article_file(tmp_path, "odd.txt", STORY, replace=True, max_bytes=LIMIT)


def test_failure_between_write_and_rename_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_article_file(tmp_path, "bridge.txt", STORY, replace=False, max_bytes=LIMIT)

    def fail(temp: Path, target: Path, *, replace: bool) -> None:
        assert temp.read_bytes() in (STORY, OTHER)  # fully written and synced before the rename
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(knowledge_files, "_publish", fail)
    with pytest.raises(KnowledgeError, match=r"could not write port\.txt"):
        add_article_file(tmp_path, "port.txt", OTHER, replace=False, max_bytes=LIMIT)
    with pytest.raises(KnowledgeError, match=r"could not write bridge\.txt"):
        add_article_file(tmp_path, "bridge.txt", OTHER, replace=True, max_bytes=LIMIT)
    assert _visible(tmp_path) == ["bridge.txt"]
    assert (tmp_path / "bridge.txt").read_bytes() == STORY
    assert _hidden(tmp_path) == []


CRASH_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from bot.knowledge import files as knowledge_files

    def crash(temp, target, *, replace):
        os._exit(17)  # the process dies between the fsynced write and the rename

    knowledge_files._publish = crash
    knowledge_files.add_article_file(
        Path(sys.argv[1]), "port.txt", sys.stdin.buffer.read(), replace=False, max_bytes=10**6
    )
    """
)


def test_crash_during_add_never_leaves_a_half_written_article(tmp_path: Path) -> None:
    add_article_file(tmp_path, "bridge.txt", STORY, replace=False, max_bytes=LIMIT)
    before = load_articles([tmp_path], LIMIT)
    done = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(tmp_path)],
        input=OTHER,
        cwd=REPO,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 17, done.stderr.decode()
    assert _visible(tmp_path) == ["bridge.txt"]
    (leftover,) = _hidden(tmp_path)  # the crash left its temporary behind ...
    after = load_articles([tmp_path], LIMIT)
    assert after.articles == before.articles and after.problems == ()  # ... which is never loaded
    old = time.time() - 2 * knowledge_files.STALE_TEMP_SECONDS
    os.utime(tmp_path / leftover, (old, old))
    add_article_file(tmp_path, "port.txt", OTHER, replace=False, max_bytes=LIMIT)
    assert _hidden(tmp_path) == []  # ... and the next upload cleans it up
    assert _visible(tmp_path) == ["bridge.txt", "port.txt"]


def test_fresh_temporaries_of_a_concurrent_upload_are_kept(tmp_path: Path) -> None:
    fresh = tmp_path / f"{TEMP_PREFIX}inflight{TEMP_SUFFIX}"
    fresh.write_bytes(b"x")
    assert remove_stale_temp_files(tmp_path) == 0
    assert fresh.exists()
    assert remove_stale_temp_files(tmp_path, older_than=-1) == 1


def test_upload_folder_is_the_first_configured_folder(tmp_path: Path) -> None:
    single = tmp_path / "one.txt"
    single.write_bytes(STORY)
    folder = tmp_path / "knowledge"
    folder.mkdir()
    assert upload_folder([single, folder]) == folder
    assert upload_folder([single, tmp_path / "new"]) == tmp_path / "new"
    with pytest.raises(KnowledgeError, match="no knowledge folder"):
        upload_folder([single])


# --------------------------------------------------------------------------- trash


def test_remove_and_restore_round_trip(tmp_path: Path) -> None:
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / "port.txt").write_bytes(OTHER)
    trashed = remove_article_file(tmp_path, "wire/port.txt")
    assert not (tmp_path / "wire" / "port.txt").exists()
    assert trashed.read_bytes() == OTHER
    assert trashed.relative_to(tmp_path).parts[0] == TRASH_DIR
    assert load_articles([tmp_path], LIMIT).articles == ()  # the trash is never loaded
    (entry,) = list_trash(tmp_path)
    assert entry.original == "wire/port.txt" and entry.removed_at is not None
    restored = restore_article_file(tmp_path, trashed)
    assert restored == tmp_path / "wire" / "port.txt"
    assert restored.read_bytes() == OTHER
    assert list_trash(tmp_path) == []
    assert not any((tmp_path / TRASH_DIR).iterdir())


def test_restore_accepts_paths_relative_to_the_trash(tmp_path: Path) -> None:
    (tmp_path / "port.txt").write_bytes(OTHER)
    trashed = remove_article_file(tmp_path, "port.txt")
    relative = trashed.relative_to(tmp_path / TRASH_DIR).as_posix()
    assert restore_article_file(tmp_path, relative) == tmp_path / "port.txt"


def test_restore_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "port.txt").write_bytes(OTHER)
    trashed = remove_article_file(tmp_path, "port.txt")
    (tmp_path / "port.txt").write_bytes(STORY)
    with pytest.raises(ArticleFileExistsError):
        restore_article_file(tmp_path, trashed)
    restore_article_file(tmp_path, trashed, replace=True)
    assert (tmp_path / "port.txt").read_bytes() == OTHER
    (entry,) = list_trash(tmp_path)  # the displaced version is itself restorable
    assert entry.path.read_bytes() == STORY


@pytest.mark.parametrize(
    "path",
    [
        "../outside.txt",
        "wire/../../outside.txt",
        "/etc/passwd",
        "..\\outside.txt",
        ".trash/x/port.txt",
        ".env",
        "",
        ".",
    ],
)
def test_remove_refuses_paths_outside_the_folder(tmp_path: Path, path: str) -> None:
    inner = tmp_path / "knowledge"
    inner.mkdir()
    (tmp_path / "outside.txt").write_bytes(OTHER)
    with pytest.raises(UnsafePathError):
        remove_article_file(inner, path)
    assert (tmp_path / "outside.txt").exists()


def test_remove_refuses_escape_through_a_symlinked_folder(tmp_path: Path) -> None:
    inner = tmp_path / "knowledge"
    inner.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(OTHER)
    (inner / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePathError):
        remove_article_file(inner, "link/secret.txt")
    assert (outside / "secret.txt").exists()


def test_remove_absolute_path_inside_the_folder_works(tmp_path: Path) -> None:
    (tmp_path / "port.txt").write_bytes(OTHER)
    trashed = remove_article_file(tmp_path, (tmp_path / "port.txt").resolve())
    assert trashed.is_file()


def test_remove_missing_or_non_article(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(ArticleFileNotFoundError):
        remove_article_file(tmp_path, "missing.txt")
    with pytest.raises(ArticleFileNotFoundError):
        remove_article_file(tmp_path, "notes.pdf")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(ArticleFileNotFoundError):
        remove_article_file(tmp_path, "folder.txt")


def test_restore_refuses_paths_outside_the_trash(tmp_path: Path) -> None:
    (tmp_path / "port.txt").write_bytes(OTHER)
    with pytest.raises(UnsafePathError):
        restore_article_file(tmp_path, tmp_path / "port.txt")
    with pytest.raises(UnsafePathError):
        restore_article_file(tmp_path, "../x.txt")
    remove_article_file(tmp_path, "port.txt")
    with pytest.raises(ArticleFileNotFoundError):
        restore_article_file(tmp_path, "20200101T000000.000000Z/nothing.txt")


# --------------------------------------------------------------------------- listing


def test_list_without_a_report_parses_each_file(tmp_path: Path) -> None:
    add_article_file(tmp_path, "bridge.txt", STORY, replace=False, max_bytes=LIMIT)
    (tmp_path / "bad.jsonl").write_bytes(b'{"text": "ok text."}\n{broken\n')
    (tmp_path / ".hidden.txt").write_bytes(STORY)
    remove_article_file(tmp_path, "bridge.txt")
    add_article_file(tmp_path, "port.txt", OTHER, replace=False, max_bytes=LIMIT)
    entries = list_article_files(tmp_path)
    assert [entry.relative_path for entry in entries] == ["bad.jsonl", "port.txt"]
    bad, port = entries
    assert bad.articles == 1 and not bad.ok
    assert any("broken JSON" in problem.reason for problem in bad.problems)
    assert port.ok and port.articles == 1 and port.size == len(OTHER)


def test_list_with_the_serving_report(tmp_path: Path) -> None:
    add_article_file(tmp_path, "bridge.txt", STORY, replace=False, max_bytes=LIMIT)
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / "bad.json").write_bytes(b"{")
    report = load_articles([tmp_path], LIMIT)
    add_article_file(tmp_path, "port.txt", OTHER, replace=False, max_bytes=LIMIT)
    entries = {entry.relative_path: entry for entry in list_article_files(tmp_path, report)}
    assert set(entries) == {"bridge.txt", "port.txt", "wire/bad.json"}
    assert entries["bridge.txt"].ok and entries["bridge.txt"].articles == 1
    assert not entries["port.txt"].loaded  # added after that report was made
    assert entries["wire/bad.json"].articles == 0
    assert [p.reason[:11] for p in entries["wire/bad.json"].problems] == ["broken JSON"]

"""Managing article files safely: add (validated, atomic), remove to a trash, restore, list.

This is what `/admin knowledge add|remove|list` call, so every name and byte comes from an
untrusted chat attachment:

- A file name is checked, never repaired (`sanitise_filename`): a refused name says why, and
  the admin renames the file. Look-alike characters are refused rather than transliterated,
  because a transliterated name could silently land on, or next to, an existing article.
- An upload is parsed by the knowledge base's own loader (`load_bytes`) before anything is
  written, and refused if it yields no article or any fatal problem.
- It is written atomically: a hidden temporary file in the same folder (the loader skips
  dot-files), fsync, link/rename into place, fsync the folder. A crash at any point leaves
  either the old state or the new file, never half an article; stale temporaries are removed
  on the next upload.
- Removing moves the file into `.trash/<time>/<its relative path>` (hidden, so never loaded),
  from where `restore_article_file` puts it back.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from bot.errors import KnowledgeError
from bot.knowledge.articles import (
    SUPPORTED_SUFFIXES,
    Article,
    LoadProblem,
    LoadReport,
    ParagraphKind,
    iter_article_files,
    load_bytes,
    load_file,
)
from bot.knowledge.filenames import (
    UploadRejectedError,
    name_key,
    sanitise_filename,
)
from bot.knowledge.passages import split_passages
from bot.settings import default
from bot.text import sentence_spans

log = logging.getLogger(__name__)


TRASH_DIR = ".trash"


TEMP_PREFIX = ".upload-"


TEMP_SUFFIX = ".tmp"


STALE_TEMP_SECONDS = 3600.0


_TRASH_STAMP = "%Y%m%dT%H%M%S.%fZ"


_DEFAULT_PASSAGE_WORDS: int = default("passage_words")


_DEFAULT_MAX_FILE_BYTES: int = default("max_file_bytes")


class UploadTooLargeError(UploadRejectedError):
    """The attachment is over the size limit."""


class ArticleFileExistsError(UploadRejectedError):
    """A file of that name (or one that looks the same) exists and `replace` was not given."""


class InvalidArticleFileError(UploadRejectedError):
    """The loader found no article, or a fatal problem, in the upload."""


class UnsafePathError(KnowledgeError):
    """A path given to remove or restore points outside the knowledge (or trash) folder."""


class ArticleFileNotFoundError(KnowledgeError):
    """No such article file (or trashed file)."""


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One article found in an uploaded file: what the admin is told."""

    id: str
    title: str
    dateline: str | None
    passages: int


@dataclass(frozen=True, slots=True)
class AddResult:
    """What `add_article_file` wrote; `previous` is the trashed copy of a replaced file."""

    path: Path
    filename: str
    size: int
    replaced: bool
    previous: Path | None
    articles: tuple[ArticleSummary, ...]
    warnings: tuple[LoadProblem, ...]

    @property
    def title(self) -> str:
        """The first article's title (a JSON file may hold several)."""
        return self.articles[0].title

    @property
    def dateline(self) -> str | None:
        """The first article's dateline as displayed, if it has one."""
        return self.articles[0].dateline

    @property
    def passage_count(self) -> int:
        """Passages over all articles in the file."""
        return sum(article.passages for article in self.articles)

    @property
    def article_ids(self) -> tuple[str, ...]:
        """Ids of every article in the file."""
        return tuple(article.id for article in self.articles)


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One article file for `/admin knowledge list`; `loaded` is False if not yet reloaded."""

    relative_path: str
    path: Path
    size: int
    modified: float
    articles: int
    problems: tuple[LoadProblem, ...]
    loaded: bool

    @property
    def ok(self) -> bool:
        """Loaded without a fatal problem."""
        return self.loaded and not any(problem.fatal for problem in self.problems)


@dataclass(frozen=True, slots=True)
class TrashEntry:
    """A removed file that `restore_article_file` can put back."""

    path: Path
    original: str
    removed_at: datetime | None


def upload_folder(paths: Sequence[Path]) -> Path:
    """The folder uploads go into: the first configured knowledge path that is a folder."""
    for path in paths:
        if path.is_dir():
            return path
    for path in paths:
        if not path.exists() and not path.suffix:
            return path
    raise KnowledgeError("no knowledge folder is configured (DATELINE_KNOWLEDGE_PATHS)")


def add_article_file(
    knowledge_dir: Path,
    filename: str,
    data: bytes,
    *,
    replace: bool,
    max_bytes: int,
    passage_words: int = _DEFAULT_PASSAGE_WORDS,
) -> AddResult:
    """Validate an upload with the knowledge loader, then write it atomically.

    Raises an `UploadRejectedError` subclass (nothing written) or `KnowledgeError` on a disk error.
    With `replace`, an existing file of the same name is first hard-linked into the trash, so
    the previous version stays restorable, then atomically replaced.
    """
    if len(data) > max_bytes:
        raise UploadTooLargeError(
            f"the file is {len(data):,} bytes, over the {max_bytes:,}-byte limit"
        )
    name = sanitise_filename(filename)
    target = knowledge_dir / name
    exists = _check_clashes(knowledge_dir, name, replace=replace)
    articles, warnings = _validate(data, target, knowledge_dir, passage_words)
    try:
        knowledge_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(knowledge_dir)
        temp = _write_temp(knowledge_dir, data)
        previous: Path | None = None
        try:
            if exists:
                previous = _trash_copy(knowledge_dir, target)
            _publish(temp, target, replace=replace)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        _fsync_dir(knowledge_dir)
    except FileExistsError:
        raise ArticleFileExistsError(
            f"{name} appeared meanwhile; add it again with replace"
        ) from None
    except OSError as error:
        raise KnowledgeError(f"could not write {name}: {error.strerror or error}") from error
    log.info("knowledge file %s %s (%d bytes)", name, "replaced" if exists else "added", len(data))
    return AddResult(target, name, len(data), exists, previous, articles, warnings)


def _check_clashes(knowledge_dir: Path, name: str, *, replace: bool) -> bool:
    """Whether `name` exists (allowed only with `replace`); refuse look-alike neighbours.

    A different file with the same stem (`x.txt` beside `x.md`) would give the same article
    ids, and one differing only in case or homoglyphs would look identical in every list.
    """
    key = name_key(name)
    exists = False
    try:
        entries = list(os.scandir(knowledge_dir))
    except FileNotFoundError:
        return False
    except OSError as error:
        raise KnowledgeError(f"cannot read the knowledge folder: {error.strerror}") from error
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.name == name:
            if entry.is_symlink() or not entry.is_file():
                raise ArticleFileExistsError(f"{name} exists and is not a regular file")
            exists = True
        elif (
            PurePosixPath(entry.name).suffix.lower() in SUPPORTED_SUFFIXES
            and name_key(entry.name) == key
        ):
            raise ArticleFileExistsError(
                f"{entry.name} already exists and would look the same or give the same article "
                "ids; remove it first or rename the upload"
            )
    if exists and not replace:
        raise ArticleFileExistsError(f"{name} already exists; set replace to overwrite it")
    return exists


def _validate(
    data: bytes, target: Path, knowledge_dir: Path, passage_words: int
) -> tuple[tuple[ArticleSummary, ...], tuple[LoadProblem, ...]]:
    load = load_bytes(data, target, knowledge_dir)
    fatal = [problem for problem in load.problems if problem.fatal]
    if fatal or not load.articles:
        reasons = "; ".join(problem.reason for problem in (fatal or load.problems)[:3])
        raise InvalidArticleFileError(
            f"{target.name} was not added: {reasons or 'no article found'}", load.problems
        )
    for article in load.articles:
        missing = _too_little_text(article)
        if missing is not None:
            raise InvalidArticleFileError(
                f"{target.name} was not added: {missing} (an article needs a title and at least "
                f"one sentence of {MIN_SENTENCE_WORDS} or more different words)",
                load.problems,
            )
    summaries: list[ArticleSummary] = []
    for article in load.articles:
        # A run-on stretch without sentence breaks is cut between words by split_passages,
        # so even a wall of text stays in passages of the configured size.
        passages = split_passages(article, passage_words)
        display = article.dateline.display if article.dateline is not None else None
        summaries.append(ArticleSummary(article.id, article.title, display, len(passages)))
    return tuple(summaries), load.problems


# An upload must read as an article: a title with a word in it, and a body sentence of at least
# this many different words ("aaaaaaaaaa" or "test test test test" is not news).
MIN_SENTENCE_WORDS = 3
_WORD = re.compile(r"[^\W\d_]{2,}")


def _too_little_text(article: Article) -> str | None:
    """What is missing for `article` to count as real text, or None."""
    label = article.title or article.id
    if not _WORD.search(article.title or ""):
        return f"article {label!r} has no title"
    for paragraph in article.paragraphs:
        if paragraph.kind is not ParagraphKind.BODY:
            continue
        body = article.text[paragraph.start : paragraph.end]
        for start, end in sentence_spans(body):
            words = [word.casefold() for word in _WORD.findall(body[start:end])]
            if len(set(words)) >= MIN_SENTENCE_WORDS:
                return None
    return f"article {label!r} has no sentence of real text"


def _write_temp(folder: Path, data: bytes) -> Path:
    """Write and fsync `data` to a new hidden file in `folder` (the loader skips it)."""
    temp = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


def _publish(temp: Path, target: Path, *, replace: bool) -> None:
    """Give the finished temporary file its real name in one step.

    Without `replace`, a hard link fails if the target exists (no check-then-write race);
    file systems without hard links fall back to a check and a rename.
    """
    if replace:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError:
        if target.exists():
            raise FileExistsError(target) from None
        os.replace(temp, target)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable; a no-op where folders cannot be opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_stale_temp_files(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Delete temporaries left by an interrupted upload; returns how many were removed."""
    removed = 0
    cutoff = time.time() - older_than
    for temp in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            if temp.is_file() and not temp.is_symlink() and temp.stat().st_mtime <= cutoff:
                temp.unlink()
                removed += 1
        except OSError as error:
            log.warning("could not remove stale upload %s: %s", temp.name, error.strerror)
    if removed:
        log.info("removed %d stale upload temporaries", removed)
    return removed


def _stamp_dir(knowledge_dir: Path) -> Path:
    """A new, unique `.trash/<UTC time>` folder."""
    trash = knowledge_dir / TRASH_DIR
    base = datetime.now(UTC).strftime(_TRASH_STAMP)
    for attempt in range(1000):
        candidate = trash / (base if attempt == 0 else f"{base}-{attempt}")
        try:
            candidate.mkdir(parents=True)
        except FileExistsError:
            continue
        return candidate
    raise KnowledgeError("could not create a trash folder")  # pragma: no cover


def _trash_copy(knowledge_dir: Path, target: Path) -> Path:
    """Keep the current version of `target` restorable before it is replaced."""
    relative = target.relative_to(knowledge_dir)
    destination = _stamp_dir(knowledge_dir) / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(target, destination)
    except OSError:
        shutil.copy2(target, destination)
    _fsync_dir(destination.parent)
    return destination


def _relative_inside(root: Path, given: str | os.PathLike[str]) -> PurePosixPath:
    """`given` as a safe relative path under `root`: no '..', no absolute, no hidden parts."""
    text = str(given)
    if "\\" in text or "\x00" in text:
        raise UnsafePathError("path refused: backslashes and NUL are not allowed")
    path = PurePosixPath(text)
    if ".." in path.parts:
        raise UnsafePathError("path refused: '..' is not allowed")
    if path.is_absolute():
        resolved = Path(text).parent.resolve() / path.name
        if not resolved.is_relative_to(root.resolve()):
            raise UnsafePathError("path refused: it is outside the knowledge folder")
        path = PurePosixPath(resolved.relative_to(root.resolve()).as_posix())
    if not path.parts or any(part in ("..", ".") or part.startswith(".") for part in path.parts):
        raise UnsafePathError(
            "path refused: use a file's path as listed, inside the knowledge folder"
        )
    resolved_parent = (root / path).parent.resolve()
    if not resolved_parent.is_relative_to(root.resolve()):
        raise UnsafePathError("path refused: it is outside the knowledge folder")
    return path


def remove_article_file(knowledge_dir: Path, relative_path: str | os.PathLike[str]) -> Path:
    """Move an article file into `.trash/<time>/<relative path>`; returns where it went."""
    relative = _relative_inside(knowledge_dir, relative_path)
    source = knowledge_dir / relative
    if relative.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ArticleFileNotFoundError(f"{relative} is not an article file")
    if not source.is_file():
        raise ArticleFileNotFoundError(f"no article file {relative}")
    destination = _stamp_dir(knowledge_dir) / relative
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, destination)
    except OSError as error:
        raise KnowledgeError(f"could not remove {relative}: {error.strerror or error}") from error
    _fsync_dir(source.parent)
    _fsync_dir(destination.parent)
    log.info("knowledge file %s moved to the trash", relative)
    return destination


def _trash_parts(
    knowledge_dir: Path, trashed: str | os.PathLike[str]
) -> tuple[Path, PurePosixPath]:
    """(trashed file, original relative path) for a path inside `.trash/<time>/`."""
    trash = knowledge_dir / TRASH_DIR
    text = str(trashed)
    if "\\" in text or "\x00" in text or ".." in PurePosixPath(text).parts:
        raise UnsafePathError("path refused: backslashes, NUL and '..' are not allowed")
    given = Path(text)
    # As returned by remove_article_file, or relative to the knowledge or the trash folder.
    candidates = [given] if given.is_absolute() else [given, knowledge_dir / given, trash / given]
    trash_root = trash.resolve()
    inside = False
    for candidate in candidates:
        resolved = candidate.parent.resolve() / candidate.name
        if not resolved.is_relative_to(trash_root):
            continue
        inside = True
        parts = resolved.relative_to(trash_root).parts
        if len(parts) >= 2 and resolved.is_file():
            return resolved, PurePosixPath(*parts[1:])
    if not inside:
        raise UnsafePathError("path refused: it is not inside the trash folder")
    raise ArticleFileNotFoundError(f"no trashed file {text}")


def restore_article_file(
    knowledge_dir: Path, trashed: str | os.PathLike[str], *, replace: bool = False
) -> Path:
    """Put a trashed file back where it was; with `replace`, the current one goes to the trash."""
    source, original = _trash_parts(knowledge_dir, trashed)
    relative = _relative_inside(knowledge_dir, original)
    destination = knowledge_dir / relative
    if destination.exists():
        if not replace:
            raise ArticleFileExistsError(f"{relative} exists; restore with replace to swap them")
        remove_article_file(knowledge_dir, relative)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        _publish(source, destination, replace=False)
        with contextlib.suppress(FileNotFoundError):
            source.unlink()
    except FileExistsError:
        raise ArticleFileExistsError(f"{relative} appeared meanwhile; nothing restored") from None
    except OSError as error:
        raise KnowledgeError(f"could not restore {relative}: {error.strerror or error}") from error
    _fsync_dir(destination.parent)
    _prune_empty_dirs(source.parent, knowledge_dir / TRASH_DIR)
    log.info("knowledge file %s restored from the trash", relative)
    return destination


def _prune_empty_dirs(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def list_trash(knowledge_dir: Path) -> list[TrashEntry]:
    """Trashed files, most recently removed first."""
    trash = knowledge_dir / TRASH_DIR
    if not trash.is_dir():
        return []
    entries: list[TrashEntry] = []
    for path in trash.rglob("*"):
        if not path.is_file():
            continue
        stamp, *rest = path.relative_to(trash).parts
        if not rest:
            continue
        try:
            removed_at: datetime | None = datetime.strptime(
                stamp.split("-", 1)[0], _TRASH_STAMP
            ).replace(tzinfo=UTC)
        except ValueError:
            removed_at = None
        entries.append(TrashEntry(path, PurePosixPath(*rest).as_posix(), removed_at))
    oldest = datetime.min.replace(tzinfo=UTC)
    entries.sort(key=lambda entry: (entry.removed_at or oldest, entry.original), reverse=True)
    return entries


def _key(path: str | Path) -> str:
    return os.path.realpath(path)


def list_article_files(
    knowledge_dir: Path,
    report: LoadReport | None = None,
    *,
    max_bytes: int = _DEFAULT_MAX_FILE_BYTES,
) -> list[FileEntry]:
    """Every article file under the folder, sorted, with its size, article count and problems.

    Pass the serving knowledge's `report` to describe what is loaded now (a file added since
    the last reload then shows `loaded=False`); without one, each file is parsed here.
    """
    counts: dict[str, int] = {}
    problems: dict[str, list[LoadProblem]] = {}
    loaded: set[str] = set()
    if report is not None:
        loaded.update(_key(path) for path in report.files)
        for article in report.articles:
            key = _key(article.source_file)
            counts[key] = counts.get(key, 0) + 1
        for problem in report.problems:
            problems.setdefault(_key(problem.file), []).append(problem)
    entries: list[FileEntry] = []
    for path, root in iter_article_files([knowledge_dir]):
        try:
            status = path.stat()
        except OSError:
            continue
        key = _key(path)
        if report is None:
            load = load_file(path, root, max_bytes)
            articles, found, is_loaded = len(load.articles), tuple(load.problems), True
        else:
            articles, found = counts.get(key, 0), tuple(problems.get(key, ()))
            is_loaded = key in loaded
        entries.append(
            FileEntry(
                relative_path=path.relative_to(knowledge_dir).as_posix(),
                path=path,
                size=status.st_size,
                modified=status.st_mtime,
                articles=articles,
                problems=found,
                loaded=is_loaded,
            )
        )
    return entries

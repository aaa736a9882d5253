"""Safe encodings for snapshot pieces: `.npy` arrays without pickle, articles and problems as JSON.

Every reader here distrusts its input: a wrong type, dtype, shape or a failed checksum is a
`KnowledgeError`, never an exception from deep inside numpy or a crash later on.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.errors import KnowledgeError
from bot.knowledge import Article, Dateline, LoadProblem, Paragraph, ParagraphKind

AnyArray = npt.NDArray[Any]
IntArray = npt.NDArray[np.int64]

_ROW_LENGTH = 10
PARAGRAPH_KINDS = (ParagraphKind.BODY, ParagraphKind.HEADING)
_KIND_CODE = {kind: code for code, kind in enumerate(PARAGRAPH_KINDS)}


@contextmanager
def paused_gc() -> Iterator[None]:
    """Keep the cyclic garbage collector out of the way of a build or a snapshot load.

    The collector is paused while the objects are made (it would walk the growing heap again
    and again: loading 100k passages took 1.7x as long), and when they are done every live
    object is moved to the permanent generation (`gc.freeze`). Otherwise the first
    collections after a reload walk all the new articles, paragraphs and passages in one
    call holding the GIL, and the event loop stalls: measured 115-185 ms at 100k passages
    (250-500 ms with the collector left running). Knowledge objects hold no reference cycles,
    so reference counting still frees them when the knowledge is replaced. What could leak
    is cyclic garbage that happens to be alive at the freeze: builders reuse their analyzer
    (the one cyclic object they make) so a reload leaves none of its own.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def damaged(reason: str) -> KnowledgeError:
    """The one error for anything wrong inside a snapshot."""
    return KnowledgeError(f"snapshot is damaged: {reason}")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --------------------------------------------------------------------------- arrays


def write_array(path: Path, array: AnyArray) -> str:
    """Write one `.npy` (never pickled) and return its checksum."""
    array = np.ascontiguousarray(array)
    if array.dtype.hasobject:
        raise ValueError(f"{path.name}: object arrays are never written")
    with path.open("wb") as handle:
        np.lib.format.write_array(handle, array, allow_pickle=False)
    return sha256_file(path)


def read_array(
    path: Path, checksum: str, dtype: npt.DTypeLike, ndim: int, columns: int | None = None
) -> AnyArray:
    """Read one `.npy` whose bytes hash to `checksum`, with the given dtype and dimensions."""
    try:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            if digest != checksum:
                raise damaged(f"{path.name} does not match its checksum")
            handle.seek(0)
            array = np.lib.format.read_array(handle, allow_pickle=False)
    except OSError as error:
        raise damaged(f"cannot read {path.name}: {error.strerror or error}") from None
    except (ValueError, TypeError, EOFError, SyntaxError) as error:
        raise damaged(f"{path.name}: {error}") from None
    if not isinstance(array, np.ndarray) or array.dtype != np.dtype(dtype):
        raise damaged(
            f"{path.name} holds {getattr(array, 'dtype', type(array))}, not {np.dtype(dtype)}"
        )
    if array.ndim != ndim or (columns is not None and array.shape[1] != columns):
        raise damaged(f"{path.name} has shape {array.shape}")
    return array


def check_offsets(name: str, pointer: IntArray, total: int, count: int) -> None:
    """`pointer` must run from 0 to `total` without going back, with `count + 1` entries."""
    if len(pointer) != count + 1 or int(pointer[0]) != 0 or int(pointer[-1]) != total:
        raise damaged(f"{name} does not cover its {total} items")
    if count and bool((np.diff(pointer) < 0).any()):
        raise damaged(f"{name} goes backwards")


# --------------------------------------------------------------------------- articles


def article_row(article: Article) -> list[Any]:
    """An article's metadata as a compact list (text and paragraphs are stored apart).

    Order: id, title, source file, dateline parts (or null), record id, source, url,
    published, language, agency.
    """
    dateline = article.dateline
    return [
        article.id,
        article.title,
        article.source_file,
        None
        if dateline is None
        else [dateline.as_written, dateline.place, dateline.date, dateline.agency],
        article.record_id,
        article.source,
        article.url,
        article.published,
        article.language,
        article.agency,
    ]


def paragraph_rows(article: Article) -> list[tuple[int, int, int]]:
    """(start, end, kind code) of each paragraph."""
    return [(p.start, p.end, _KIND_CODE[p.kind]) for p in article.paragraphs]


def _dateline(value: Any) -> Dateline | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 4
        or not isinstance(value[0], str)
        or not all(part is None or isinstance(part, str) for part in value[1:])
    ):
        raise damaged("article dateline is malformed")
    return Dateline(value[0], value[1], value[2], value[3])


ArticleRow = list[Any]  # a checked `article_row`


def article_rows(line: str) -> list[ArticleRow]:
    """Parse and type-check one line of `articles.jsonl`: a list of article rows."""
    try:
        rows = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise damaged(f"article line is not JSON: {error}") from None
    if type(rows) is not list:
        raise damaged("article line is not a list")
    for row in rows:
        if type(row) is not list or len(row) != _ROW_LENGTH:
            raise damaged("article row has the wrong shape")
        article_id, title, source_file = row[0], row[1], row[2]
        if type(article_id) is not str or not article_id:
            raise damaged("article without an id")
        if type(title) is not str or type(source_file) is not str:
            raise damaged("article title or file is not text")
        for value in row[4:]:
            if value is not None and type(value) is not str:
                raise damaged("article metadata is not text")
        row[3] = _dateline(row[3])
    return rows


def make_article(row: ArticleRow, text: str, paragraphs: tuple[Paragraph, ...]) -> Article:
    """The article of a checked row, its text and its (bounds-checked) paragraphs."""
    (
        article_id,
        title,
        source_file,
        dateline,
        record_id,
        source,
        url,
        published,
        language,
        agency,
    ) = row
    return Article(
        article_id,
        title,
        text,
        paragraphs,
        source_file,
        dateline,
        record_id,
        source,
        url,
        published,
        language,
        agency,
    )


# --------------------------------------------------------------------------- problems


def problem_json(problem: LoadProblem) -> dict[str, Any]:
    """`{file, reason, line, fatal}`."""
    return {
        "file": problem.file,
        "reason": problem.reason,
        "line": problem.line,
        "fatal": problem.fatal,
    }


def problem_from_json(value: Any) -> LoadProblem:
    """The inverse of `problem_json`, checked."""
    if not isinstance(value, dict):
        raise damaged("problem is not an object")
    file, reason, line, fatal = (value.get(k) for k in ("file", "reason", "line", "fatal"))
    if not (isinstance(file, str) and isinstance(reason, str) and isinstance(fatal, bool)):
        raise damaged("problem has mistyped fields")
    if line is not None and type(line) is not int:
        raise damaged("problem line is not a number")
    return LoadProblem(file, reason, line, fatal)


def spans_from_ends(ends: list[int]) -> zip[tuple[int, int]]:
    """(start, end) of each item packed back to back, from the items' end offsets (none for
    an empty snapshot: a knowledge base with no article is saved and loaded like any other)."""
    return zip([0, *ends[:-1]] if ends else [], ends, strict=True)

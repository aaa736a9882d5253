"""Snapshots on disk: a whole knowledge base as numpy arrays plus JSON — never pickle.

Layout under ``<cache_dir>/kb-<paths key>/`` (the *home*; one per set of knowledge paths)::

    version                         {"format", "snapshot", "content_key", "manifest_sha256"}
    snapshots/<id>/manifest.json    keys, per-file fingerprints and problems, counts, checksums
    snapshots/<id>/articles.jsonl   one article per line: metadata, text, dateline parts
    snapshots/<id>/*.npy            paragraphs, passages, passage terms, BM25 index arrays

Writing: everything goes into ``snapshots/.tmp-<id>/``, which is renamed into place; the
``version`` file is replaced last (write a temporary file, then ``os.replace``). Readers see
the old snapshot or the new one, never half of one; several writers never clash (each has
its own id; the last ``version`` wins). Files are not fsynced: a torn write after a power
cut fails its checksum and costs one rebuild. The newest `KEEP_SNAPSHOTS` are kept, so a
process still loading the previous one is not pulled from under.

Reading trusts nothing. The snapshot id must look like one (no path tricks), the manifest
must hash to the ``version`` file's ``manifest_sha256``, every data file to the manifest's
checksum. Arrays go through numpy's ``.npy`` reader with ``allow_pickle=False`` (an object
array is refused, never unpickled) and must have the expected dtype and shape; every offset
is bounds-checked against the article texts, term ids against the vocabulary, and the
passage terms against the index's document lengths. Any failure raises `KnowledgeError`;
callers rebuild from the articles.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import socket
import time
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.knowledge import Article, LoadProblem, Passage
from bot.retrieval import BM25Index
from bot.settings import Settings
from bot.snapshot.codec import (
    AnyArray,
    IntArray,
    article_row,
    damaged,
    paragraph_rows,
    problem_from_json,
    problem_json,
    write_array,
)
from bot.snapshot.fingerprints import SNAPSHOT_FORMAT, FileFingerprint, paths_key

log = logging.getLogger(__name__)


VERSION_FILE = "version"


SNAPSHOTS_DIR = "snapshots"


MANIFEST = "manifest.json"


ARTICLES = "articles.jsonl"


ARTICLES_PER_LINE = 256  # metadata rows per JSON line: few parse calls, no long GIL hold


TEXTS = "texts.utf8"


KEEP_SNAPSHOTS = 3


# A temporary snapshot folder is named after its writer (`.tmp-<id>-<host>-<pid>`): one whose
# writer on this machine is gone (a crash mid-publish) is removed at once; one written from
# another machine sharing the cache folder, or of the older unnamed form, only after this long,
# since its writer may still be at work.
_STALE_TEMP_SECONDS = 3600.0
_HOST = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:64] or "host"
_TEMP_WRITER = re.compile(
    r"\A\.tmp-[0-9]{20}-[0-9a-f]{8}-(?P<host>[A-Za-z0-9_.]+)-(?P<pid>[0-9]+)\Z"
)


_SNAPSHOT_ID = re.compile(r"\A[0-9]{20}-[0-9a-f]{8}\Z")


_MAX_SMALL_JSON = 1_000_000  # bytes; the version file is ~200


# name: (dtype, ndim, columns)
KNOWLEDGE_ARRAYS: dict[str, tuple[npt.DTypeLike, int, int | None]] = {
    "text_end": (np.int64, 1, None),
    "par_ptr": (np.int64, 1, None),
    "par_start": (np.int64, 1, None),
    "par_end": (np.int64, 1, None),
    "par_kind": (np.int8, 1, None),
    "pas_article": (np.int64, 1, None),
    "pas_start": (np.int64, 1, None),
    "pas_end": (np.int64, 1, None),
    "seg_ptr": (np.int64, 1, None),
    "seg_start": (np.int64, 1, None),
    "seg_end": (np.int64, 1, None),
}


TERM_ARRAYS: dict[str, tuple[npt.DTypeLike, int, int | None]] = {
    "tok_ptr": (np.int64, 1, None),
    "tok_ids": (np.int32, 1, None),
}


INDEX_ARRAYS: dict[str, tuple[npt.DTypeLike, int, int | None]] = {
    "terms_utf8": (np.uint8, 1, None),
    "terms_end": (np.int64, 1, None),
    "indptr": (np.int64, 1, None),
    "doc_ids": (np.int32, 1, None),
    "weights": (np.float64, 1, None),
    "idf": (np.float64, 1, None),
    "doc_len": (np.int32, 1, None),
}


INDEX_PARAMS = ("variant", "k1", "b", "epsilon", "delta", "common_terms")


def snapshot_home(settings: Settings, paths: Sequence[Path]) -> Path:
    """Where the snapshots of this set of knowledge paths live."""
    return settings.cache_dir / f"kb-{paths_key(paths)}"


@dataclass(frozen=True, slots=True)
class VersionPointer:
    """The contents of the ``version`` file: which snapshot is current."""

    snapshot_id: str
    content_key: str
    manifest_sha256: str


def _small_json(path: Path) -> Any:
    with path.open("rb") as handle:
        data = handle.read(_MAX_SMALL_JSON + 1)
    if len(data) > _MAX_SMALL_JSON:
        raise damaged(f"{path.name} is too large")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise damaged(f"{path.name} is not JSON: {error}") from None


def read_version(home: Path) -> VersionPointer | None:
    """The current snapshot, None when none was published; `KnowledgeError` if unreadable."""
    path = home / VERSION_FILE
    try:
        data = _small_json(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise damaged(f"cannot read {path}: {error.strerror or error}") from None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise damaged("version file has another format")
    snapshot_id, key, digest = (
        data.get("snapshot"),
        data.get("content_key"),
        data.get("manifest_sha256"),
    )
    if not (isinstance(snapshot_id, str) and _SNAPSHOT_ID.match(snapshot_id)):
        raise damaged("version file names no valid snapshot")
    if not (isinstance(key, str) and isinstance(digest, str)):
        raise damaged("version file lacks its keys")
    return VersionPointer(snapshot_id, key, digest)


def _write_version(home: Path, pointer: VersionPointer) -> None:
    body = {
        "format": SNAPSHOT_FORMAT,
        "snapshot": pointer.snapshot_id,
        "content_key": pointer.content_key,
        "manifest_sha256": pointer.manifest_sha256,
    }
    temporary = home / f".{VERSION_FILE}.{pointer.snapshot_id}.tmp"
    temporary.write_text(json.dumps(body) + "\n", encoding="utf-8")
    os.replace(temporary, home / VERSION_FILE)


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One article file in a snapshot: its fingerprint, its articles, its own problems.

    `first_article:end_article` is the range of its articles in the snapshot. `complete` is
    False when some of its articles were dropped as duplicates of another file's; such a
    file is always parsed again, since what it contributes depends on the other files.
    """

    fingerprint: FileFingerprint
    first_article: int
    end_article: int
    complete: bool
    problems: tuple[LoadProblem, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The manifest form."""
        return {
            "fingerprint": self.fingerprint.to_json(),
            "articles": [self.first_article, self.end_article],
            "complete": self.complete,
            "problems": [problem_json(problem) for problem in self.problems],
        }

    @classmethod
    def from_json(cls, value: Any) -> FileEntry:
        """Parse and type-check the manifest form."""
        if not isinstance(value, dict):
            raise damaged("file entry is not an object")
        span, complete, problems = (
            value.get("articles"),
            value.get("complete"),
            value.get("problems"),
        )
        if not (
            isinstance(span, list)
            and len(span) == 2
            and all(type(x) is int for x in span)
            and isinstance(complete, bool)
            and isinstance(problems, list)
        ):
            raise damaged("file entry has mistyped fields")
        return cls(
            FileFingerprint.from_json(value.get("fingerprint")),
            span[0],
            span[1],
            complete,
            tuple(problem_from_json(problem) for problem in problems),
        )


@dataclass(frozen=True, slots=True)
class Manifest:
    """Everything about a snapshot except its bulk data."""

    snapshot_id: str
    created_at: float
    analysis: Mapping[str, Any]
    index: Mapping[str, Any]
    content_key: str
    paths: tuple[str, ...]
    files: tuple[FileEntry, ...]
    problems: tuple[LoadProblem, ...]
    counts: Mapping[str, int]
    index_meta: Mapping[str, Any]
    checksums: Mapping[str, str]
    build_seconds: float = 0.0


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    if not isinstance(value, dict):
        raise damaged(f"manifest lacks its {name}")
    return value


def _manifest_from_json(data: Any, snapshot_id: str) -> Manifest:
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise damaged("manifest has another format")
    if data.get("snapshot") != snapshot_id:
        raise damaged("manifest belongs to another snapshot")
    analysis, index, meta = (
        _section(data, "analysis"),
        _section(data, "index"),
        _section(data, "index_meta"),
    )
    counts, checksums = _section(data, "counts"), _section(data, "checksums")
    paths, files, problems = data.get("paths"), data.get("files"), data.get("problems")
    if not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
        raise damaged("manifest paths are mistyped")
    if not (isinstance(files, list) and isinstance(problems, list)):
        raise damaged("manifest files or problems are mistyped")
    if not all(type(counts.get(k)) is int and counts[k] >= 0 for k in ("articles", "passages")):
        raise damaged("manifest counts are mistyped")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in checksums.items()):
        raise damaged("manifest checksums are mistyped")
    created, seconds, key = (
        data.get("created_at"),
        data.get("build_seconds", 0.0),
        data.get("content_key"),
    )
    if not (
        isinstance(created, int | float)
        and isinstance(seconds, int | float)
        and isinstance(key, str)
    ):
        raise damaged("manifest header is mistyped")
    manifest = Manifest(
        snapshot_id=snapshot_id,
        created_at=float(created),
        analysis=analysis,
        index=index,
        content_key=key,
        paths=tuple(paths),
        files=tuple(FileEntry.from_json(entry) for entry in files),
        problems=tuple(problem_from_json(problem) for problem in problems),
        counts=counts,
        index_meta=meta,
        checksums=checksums,
        build_seconds=float(seconds),
    )
    _check_file_ranges(manifest)
    return manifest


def _check_file_ranges(manifest: Manifest) -> None:
    position = 0
    for entry in manifest.files:
        if not position <= entry.first_article <= entry.end_article <= manifest.counts["articles"]:
            raise damaged("file entries do not partition the articles")
        position = entry.end_article


def snapshot_dir(home: Path, snapshot_id: str) -> Path:
    """The directory of one snapshot (the id is checked: no path tricks)."""
    if not _SNAPSHOT_ID.match(snapshot_id):
        raise damaged(f"invalid snapshot id {snapshot_id!r}")
    return home / SNAPSHOTS_DIR / snapshot_id


def read_manifest(home: Path, pointer: VersionPointer) -> Manifest:
    """The manifest the version file points to, verified against its hash."""
    path = snapshot_dir(home, pointer.snapshot_id) / MANIFEST
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise damaged(f"cannot read the manifest: {error.strerror or error}") from None
    if hashlib.sha256(raw).hexdigest() != pointer.manifest_sha256:
        raise damaged("the manifest does not match the version file")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise damaged(f"the manifest is not JSON: {error}") from None
    manifest = _manifest_from_json(data, pointer.snapshot_id)
    if manifest.content_key != pointer.content_key:
        raise damaged("the manifest and the version file disagree")
    return manifest


@dataclass(frozen=True, slots=True)
class SnapshotPayload:
    """What a build hands over to be written: the knowledge plus what makes it reusable.

    `passage_article[i]` is the position in `articles` of passage i's article; passage i's
    terms are `tok_ids[tok_ptr[i]:tok_ptr[i+1]]`, ids into the index's sorted vocabulary.
    """

    articles: Sequence[Article]
    passages: Sequence[Passage]
    passage_article: IntArray
    index: BM25Index
    tok_ptr: IntArray
    tok_ids: npt.NDArray[np.int32]
    files: Sequence[FileEntry]
    problems: Sequence[LoadProblem]
    analysis: Mapping[str, Any]
    index_key: Mapping[str, Any]
    content_key: str
    paths: Sequence[str]
    build_seconds: float = 0.0
    created_at: float = field(default_factory=time.time)
    index_arrays: tuple[Mapping[str, AnyArray], Mapping[str, Any]] | None = None

    def index_parts(self) -> tuple[Mapping[str, AnyArray], Mapping[str, Any]]:
        """`index.to_arrays()`, computed once (it sorts the vocabulary)."""
        return self.index_arrays if self.index_arrays is not None else self.index.to_arrays()


def new_snapshot_id() -> str:
    """Time-ordered and unique across processes."""
    return f"{time.time_ns():020d}-{secrets.token_hex(4)}"


def _column(values: array[int]) -> IntArray:
    return np.frombuffer(values, dtype=np.int64) if len(values) else np.empty(0, np.int64)


def _knowledge_arrays(payload: SnapshotPayload) -> dict[str, AnyArray]:
    """The paragraph and passage columns, gathered in Python loops and wrapped without a copy.

    (`np.asarray` over a list of 100k tuples would hold the GIL for tens of milliseconds in
    one call: a reload in a worker thread must not stall the event loop.)
    """
    par_ptr, par_start, par_end, par_kind = array("q", [0]), array("q"), array("q"), array("q")
    for article in payload.articles:
        for start, end, kind in paragraph_rows(article):
            par_start.append(start)
            par_end.append(end)
            par_kind.append(kind)
        par_ptr.append(len(par_start))
    pas_start, pas_end = array("q"), array("q")
    seg_ptr, seg_start, seg_end = array("q", [0]), array("q"), array("q")
    for passage in payload.passages:
        pas_start.append(passage.start)
        pas_end.append(passage.end)
        for start, end in passage.segments:
            seg_start.append(start)
            seg_end.append(end)
        seg_ptr.append(len(seg_start))
    return {
        "par_ptr": _column(par_ptr),
        "par_start": _column(par_start),
        "par_end": _column(par_end),
        "par_kind": _column(par_kind).astype(np.int8),
        "pas_article": np.asarray(payload.passage_article, dtype=np.int64),
        "pas_start": _column(pas_start),
        "pas_end": _column(pas_end),
        "seg_ptr": _column(seg_ptr),
        "seg_start": _column(seg_start),
        "seg_end": _column(seg_end),
        "tok_ptr": np.asarray(payload.tok_ptr, dtype=np.int64),
        "tok_ids": np.asarray(payload.tok_ids, dtype=np.int32),
    }


def write_snapshot(home: Path, payload: SnapshotPayload) -> VersionPointer:
    """Write a snapshot atomically, publish it in the version file, prune old ones."""
    if payload.index_arrays is None:
        payload = replace(payload, index_arrays=payload.index.to_arrays())
    snapshot_id = new_snapshot_id()
    snapshots = home / SNAPSHOTS_DIR
    temporary = snapshots / f".tmp-{snapshot_id}-{_HOST}-{os.getpid()}"
    temporary.mkdir(parents=True)
    try:
        checksums = _write_data(temporary, payload)
        manifest = _manifest_json(snapshot_id, payload, checksums)
        (temporary / MANIFEST).write_bytes(manifest)
        os.rename(temporary, snapshots / snapshot_id)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    pointer = VersionPointer(snapshot_id, payload.content_key, hashlib.sha256(manifest).hexdigest())
    _write_version(home, pointer)
    prune(home, keep=snapshot_id)
    return pointer


def _write_data(directory: Path, payload: SnapshotPayload) -> dict[str, str]:
    checksums: dict[str, str] = {}
    with (directory / ARTICLES).open("wb") as handle:
        digest = hashlib.sha256()
        articles = payload.articles
        for first in range(0, len(articles), ARTICLES_PER_LINE):
            rows = [article_row(a) for a in articles[first : first + ARTICLES_PER_LINE]]
            line = json.dumps(rows, ensure_ascii=False).encode("utf-8") + b"\n"
            digest.update(line)
            handle.write(line)
    checksums[ARTICLES] = digest.hexdigest()
    text_end = array("q")
    with (directory / TEXTS).open("wb") as handle:
        digest = hashlib.sha256()
        size = 0
        for article in payload.articles:
            data = article.text.encode("utf-8", errors="surrogatepass")
            digest.update(data)
            handle.write(data)
            size += len(data)
            text_end.append(size)
    checksums[TEXTS] = digest.hexdigest()
    arrays = _knowledge_arrays(payload)
    arrays["text_end"] = _column(text_end)
    for name, column in arrays.items():
        checksums[name] = write_array(directory / f"{name}.npy", column)
    index_arrays, _ = payload.index_parts()
    for name, column in index_arrays.items():
        checksums[f"index_{name}"] = write_array(directory / f"index_{name}.npy", column)
    return checksums


def _manifest_json(snapshot_id: str, payload: SnapshotPayload, checksums: dict[str, str]) -> bytes:
    _, index_meta = payload.index_parts()
    body = {
        "format": SNAPSHOT_FORMAT,
        "snapshot": snapshot_id,
        "created_at": payload.created_at,
        "build_seconds": payload.build_seconds,
        "analysis": dict(payload.analysis),
        "index": dict(payload.index_key),
        "content_key": payload.content_key,
        "paths": list(payload.paths),
        "files": [entry.to_json() for entry in payload.files],
        "problems": [problem_json(problem) for problem in payload.problems],
        "counts": {
            "articles": len(payload.articles),
            "passages": len(payload.passages),
            "terms": int(payload.tok_ptr[-1]) if len(payload.tok_ptr) else 0,
        },
        "index_meta": dict(index_meta),
        "checksums": checksums,
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def _abandoned(name: str) -> bool:
    """Whether a temporary folder's writer was a process of this machine that has ended."""
    writer = _TEMP_WRITER.match(name)
    if writer is None or writer["host"] != _HOST:
        return False
    pid = int(writer["pid"])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by someone else
        return False
    return False


def prune(home: Path, keep: str | None = None, count: int = KEEP_SNAPSHOTS) -> None:
    """Remove all but the newest `count` snapshots (and abandoned temporary ones)."""
    snapshots = home / SNAPSHOTS_DIR
    try:
        entries = list(snapshots.iterdir())
    except OSError:
        return
    now = time.time()
    finished = sorted((e for e in entries if _SNAPSHOT_ID.match(e.name)), key=lambda e: e.name)
    doomed = [e for e in finished[:-count] if e.name != keep]
    for entry in entries:
        if entry.name.startswith(".tmp-"):
            with contextlib.suppress(OSError):
                if _abandoned(entry.name) or now - entry.stat().st_mtime > _STALE_TEMP_SECONDS:
                    doomed.append(entry)
    for entry in doomed:
        shutil.rmtree(entry, ignore_errors=True)

"""Fingerprints that decide whether a stored snapshot still describes the knowledge.

A snapshot (or one file's cached articles) is reused only when its fingerprints match now:

* each article file: its path and knowledge root as listed (they make the article ids),
  size and SHA-256 of its bytes. `mtime_ns` is recorded and shown, but the content decides:
  a file touched without a change is still reused, and an edit that keeps size and mtime
  (two writes within one clock tick) is still caught.
* the analysis key: snapshot format, language, `Analyzer.fingerprint`, passage size, the
  file size limit, and a hash of the source of every module that shapes articles, passages,
  terms or scores (every module of `PIPELINE_PACKAGES`), so a code change that could alter
  the output rebuilds instead of serving stale results.
* the index key: the BM25 parameters. When only these differ, parsed files and their terms
  are reused and only the index is re-derived.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot import __version__
from bot.errors import KnowledgeError
from bot.knowledge import bm25_params
from bot.settings import Settings
from bot.text import Analyzer

# Bump when the on-disk layout of a snapshot changes.
SNAPSHOT_FORMAT = 1
# Packages whose code decides what a snapshot holds: editing any module in them (or adding
# one) invalidates snapshots. Answers, serving and the front ends read snapshots, never shape them.
PIPELINE_PACKAGES = ("bot.text", "bot.retrieval", "bot.knowledge", "bot.snapshot")


def _pipeline_sources() -> list[Path]:
    """Every module file of `PIPELINE_PACKAGES`, found on disk (no hand-kept list), sorted."""
    bot_dir = Path(__file__).resolve().parents[1]
    return [
        path
        for package in PIPELINE_PACKAGES
        for path in sorted(bot_dir.joinpath(*package.split(".")[1:]).glob("*.py"))
    ]


@dataclass(frozen=True, slots=True)
class FileFingerprint:
    """One article file as it is now; `sha256` is empty when the file could not be read."""

    path: str
    root: str
    size: int
    mtime_ns: int
    sha256: str

    def same_content(self, other: FileFingerprint) -> bool:
        """Whether the stored articles of `other` are valid for this file (see module doc)."""
        return (
            bool(self.sha256)
            and self.path == other.path
            and self.root == other.root
            and self.size == other.size
            and self.sha256 == other.sha256
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON form kept in a snapshot manifest."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> FileFingerprint:
        """Parse the manifest form; `KnowledgeError` when a field is missing or mistyped."""
        if not isinstance(data, dict):
            raise KnowledgeError("file fingerprint is not an object")
        try:
            path, root, sha = data["path"], data["root"], data["sha256"]
            size, mtime = data["size"], data["mtime_ns"]
        except KeyError as error:
            raise KnowledgeError(f"file fingerprint lacks {error}") from None
        if not all(isinstance(value, str) for value in (path, root, sha)):
            raise KnowledgeError("file fingerprint has a non-text path or hash")
        if not all(type(value) is int and value >= 0 for value in (size, mtime)):
            raise KnowledgeError("file fingerprint has a bad size or mtime")
        return cls(path, root, size, mtime, sha)


def fingerprint_file(path: Path, root: Path, max_bytes: int) -> FileFingerprint:
    """Stat and hash one file; a file over `max_bytes` or unreadable gets no hash.

    Without a hash the file is never reused, so loading it again reports its problem.
    """
    try:
        stat = path.stat()
    except OSError:
        return FileFingerprint(path.as_posix(), root.as_posix(), -1, -1, "")
    digest = ""
    if stat.st_size <= max_bytes:
        try:
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            digest = ""
    return FileFingerprint(path.as_posix(), root.as_posix(), stat.st_size, stat.st_mtime_ns, digest)


def _hash_pipeline() -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in _pipeline_sources():
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(path.name.encode())
    return digest.hexdigest()[:16]


# Hashed once, when the process loads this code: an edit made to the files later (while the
# process runs) must not make it claim to be the new code.
_PIPELINE = _hash_pipeline()


def pipeline_fingerprint() -> str:
    """A hash of the source of the `PIPELINE_PACKAGES` modules as this process started."""
    return _PIPELINE


def analysis_key(settings: Settings) -> dict[str, Any]:
    """What parsed articles, passages and their terms depend on."""
    return {
        "format": SNAPSHOT_FORMAT,
        "language": settings.language,
        "analyzer": Analyzer(settings.language).fingerprint,
        "passage_words": settings.passage_words,
        "max_file_bytes": settings.max_file_bytes,
        "pipeline": pipeline_fingerprint(),
    }


def index_key(settings: Settings) -> dict[str, Any]:
    """What the BM25 index depends on beyond the passages' terms."""
    return asdict(bm25_params(settings))


def paths_key(paths: Sequence[Path]) -> str:
    """The knowledge paths as written: snapshots of different path sets never mix."""
    return hashlib.sha256("\n".join(path.as_posix() for path in paths).encode()).hexdigest()[:12]


def content_key(
    analysis: Mapping[str, Any],
    index: Mapping[str, Any],
    paths: Sequence[str],
    files: Sequence[FileFingerprint],
) -> str:
    """One hash for everything a knowledge base is built from: equal keys, equal knowledge."""
    payload = {
        "analysis": dict(analysis),
        "index": dict(index),
        "paths": list(paths),
        "files": [(f.path, f.root, f.size, f.sha256) for f in files],
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()

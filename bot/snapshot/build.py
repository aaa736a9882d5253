"""The snapshot-backed knowledge builder: reuse what did not change, re-parse only what did.

`SnapshotBuilder` is a `KnowledgeService` builder, `(settings, paths, progress) -> KnowledgeBase`:

1. fingerprint every article file (`bot.snapshot.fingerprints`);
2. if the knowledge this builder returned last is still current (same content key), return
   it; else if the published snapshot was built from exactly these files and settings, load
   it (a cold start);
3. otherwise reuse each unchanged file's articles, passages and passage terms — from the
   knowledge in memory when it is the published snapshot, else from the snapshot on disk —
   parse and analyze only new or changed files, re-derive the BM25 statistics over all
   passages (`BM25Index.build` over the cached terms), and publish a new snapshot.

A damaged, unreadable or stale snapshot is logged as a warning and not used; what it cannot
provide is rebuilt from the articles. A failure to write the new snapshot is a warning too:
the knowledge built is served all the same. `last_stats` says what the last call did.
"""

from __future__ import annotations

import logging
import time
import weakref
from array import array
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from bot.errors import KnowledgeError
from bot.knowledge import (
    Article,
    FileLoad,
    KnowledgeBase,
    LoadReport,
    Passage,
    ProgressCallback,
    bm25_params,
    failed_load,
    failure_reason,
    iter_article_files,
    load_file,
    merge_loads,
    missing_paths,
    split_passages,
    stale_among,
    stale_reason,
)
from bot.retrieval import BM25Index
from bot.settings import Settings
from bot.snapshot.codec import paused_gc, spans_from_ends
from bot.snapshot.fingerprints import (
    FileFingerprint,
    analysis_key,
    content_key,
    fingerprint_file,
    index_key,
)
from bot.snapshot.load import StoredSnapshot, load_snapshot, snapshot_bytes
from bot.snapshot.reuse import Reuse
from bot.snapshot.store import (
    FileEntry,
    Manifest,
    SnapshotPayload,
    prune,
    read_manifest,
    read_version,
    snapshot_home,
    write_snapshot,
)
from bot.text import Analyzer

log = logging.getLogger(__name__)

Mode = Literal["memory", "snapshot", "incremental", "full"]


@dataclass(frozen=True, slots=True)
class BuildStats:
    """What one build did: where the knowledge came from and how much work it took."""

    mode: Mode
    reason: str
    files: int
    files_parsed: int
    passages: int
    passages_analyzed: int
    snapshot_id: str | None
    seconds: float
    save_seconds: float = 0.0

    @property
    def files_reused(self) -> int:
        """Files whose articles and terms came from the snapshot."""
        return (
            self.files - self.files_parsed if self.mode in ("incremental", "full") else self.files
        )


@dataclass(frozen=True, slots=True)
class _Current:
    """The files as they are now and the keys they make."""

    paths: list[Path]
    listed: list[tuple[Path, Path]]
    fingerprints: list[FileFingerprint]
    analysis: dict[str, Any]
    index: dict[str, Any]
    key: str


def _current(settings: Settings, paths: Sequence[Path] | None) -> _Current:
    chosen = list(paths) if paths else list(settings.knowledge_paths)
    listed = list(iter_article_files(chosen))
    prints = [fingerprint_file(path, root, settings.max_file_bytes) for path, root in listed]
    analysis, index = analysis_key(settings), index_key(settings)
    # A path that is missing now but not before (or the reverse) changes the problems.
    named = [p.as_posix() if p.exists() else f"missing:{p.as_posix()}" for p in chosen]
    return _Current(
        chosen, listed, prints, analysis, index, content_key(analysis, index, named, prints)
    )


class SnapshotBuilder:
    """Builds knowledge from the published snapshot plus the files that changed since."""

    def __init__(self, *, rebuild: bool = False, publish: bool = True) -> None:
        """`rebuild` ignores any stored snapshot; `publish=False` never writes one."""
        self.rebuild = rebuild
        self.publish = publish
        self.last_stats: BuildStats | None = None
        self._last: weakref.ref[KnowledgeBase] | None = None
        self._analyzer: Analyzer | None = None
        self._pruned: set[Path] = set()

    def analyzer(self, settings: Settings) -> Analyzer:
        """One analyzer per builder (its memo stays warm, and no cyclic garbage per reload)."""
        analyzer = self._analyzer
        if analyzer is None or analyzer.language != settings.language:
            analyzer = self._analyzer = Analyzer(settings.language)
        return analyzer

    def __call__(
        self,
        settings: Settings,
        paths: Sequence[Path] | None = None,
        progress: ProgressCallback | None = None,
    ) -> KnowledgeBase:
        """Knowledge for `paths` (default: the configured knowledge paths)."""
        started = time.perf_counter()
        current = _current(settings, paths)
        home = snapshot_home(settings, current.paths)
        if self.publish and home not in self._pruned:  # a crash's leftovers go at start-up
            self._pruned.add(home)
            prune(home)
        analyzer = self.analyzer(settings)
        last = self._last() if self._last is not None else None
        if not self.rebuild and last is not None and last.content_key == current.key:
            return self._done(last, "memory", "nothing changed", current, started, 0, 0)
        manifest, reason = (None, "full rebuild requested") if self.rebuild else _manifest(home)
        stored: StoredSnapshot | None = None
        if manifest is not None and manifest.content_key == current.key:
            try:
                stored = _attach(home, manifest, last) or load_snapshot(home, manifest)
            except KnowledgeError as error:
                log.warning("%s; rebuilding from the articles", error)
                manifest, reason = None, str(error)
            else:
                knowledge = _knowledge(stored, analyzer, current.key, started)
                return self._done(knowledge, "snapshot", "nothing changed", current, started, 0, 0)
        if manifest is not None and manifest.analysis != current.analysis:
            manifest, reason = None, "settings, analyzer or code changed since the snapshot"
        if manifest is not None:
            try:
                stored = _attach(home, manifest, last) or load_snapshot(home, manifest)
                reason = _what_changed(manifest, current)
            except KnowledgeError as error:
                log.warning("%s; rebuilding from the articles", error)
                stored, reason = None, str(error)
        with paused_gc():
            return self._build(settings, current, home, analyzer, stored, reason, started, progress)

    def adopt(self, settings: Settings, paths: Sequence[Path] | None = None) -> KnowledgeBase:
        """The published snapshot as it is (another process's reload), without re-reading files.

        Refused (`KnowledgeError`) when it was built from other knowledge paths, settings or
        code: every process serving one snapshot must agree on all three.
        """
        started = time.perf_counter()
        chosen = list(paths) if paths else list(settings.knowledge_paths)
        home = snapshot_home(settings, chosen)
        pointer = read_version(home)
        if pointer is None:
            raise KnowledgeError(f"no snapshot has been published in {home}")
        manifest = read_manifest(home, pointer)
        if list(manifest.paths) != [path.as_posix() for path in chosen]:
            raise KnowledgeError("the published snapshot was built from other knowledge paths")
        if manifest.analysis != analysis_key(settings) or manifest.index != index_key(settings):
            raise KnowledgeError("the published snapshot was built with other settings or code")
        last = self._last() if self._last is not None else None
        if last is not None and last.snapshot_id == manifest.snapshot_id:
            return last
        stored = load_snapshot(home, manifest)
        knowledge = _knowledge(stored, self.analyzer(settings), manifest.content_key, started)
        self._last = weakref.ref(knowledge)
        log.info("adopted snapshot %s (%d passages)", manifest.snapshot_id, knowledge.passage_count)
        return knowledge

    # ------------------------------------------------------------------ building

    def _build(
        self,
        settings: Settings,
        current: _Current,
        home: Path,
        analyzer: Analyzer,
        stored: StoredSnapshot | None,
        reason: str,
        started: float,
        progress: ProgressCallback | None,
    ) -> KnowledgeBase:
        reuse = Reuse.of(stored) if stored is not None else None
        loads: list[FileLoad] = []
        parsed = 0
        total = len(current.listed)
        for number, ((path, root), fingerprint) in enumerate(
            zip(current.listed, current.fingerprints, strict=True), start=1
        ):
            reused = reuse.file(path, fingerprint) if reuse is not None else None
            if reused is None:
                reused = load_file(path, root, settings.max_file_bytes)
                parsed += 1
                if reuse is not None and failed_load(reused):  # serve its last good version
                    key = (fingerprint.path, fingerprint.root)
                    reason, now = failure_reason(reused), len(reused.articles)
                    reused = reuse.last_good(key, path, reason, now) or reused
            loads.append(reused)
            if progress is not None:
                progress("loading", number, total)
        fingerprints = list(current.fingerprints)
        if reuse is not None:  # a file replaced by a folder is not listed: not a deletion
            for load, fingerprint in reuse.replaced_by_folders(fingerprints):
                loads.append(load)
                fingerprints.append(fingerprint)
        report = merge_loads(loads, missing_paths(current.paths))
        terms = _TermStream(report.articles, reuse, analyzer, settings.passage_words, progress)
        index = BM25Index.build(terms, bm25_params(settings))
        if progress is not None:
            progress("indexing", 1, 1)
        knowledge = KnowledgeBase(
            articles=report.articles,
            passages=tuple(terms.passages),
            index=index,
            analyzer=analyzer,
            report=report,
            build_seconds=time.perf_counter() - started,
            articles_by_id=MappingProxyType({a.id: a for a in report.articles}),
            content_key=current.key,
        )
        save_seconds = 0.0
        if self.publish:
            saving = time.perf_counter()
            knowledge = _publish(
                home, knowledge, loads, fingerprints, report, terms, current, progress
            )
            save_seconds = time.perf_counter() - saving
        mode: Mode = "incremental" if reuse is not None else "full"
        return self._done(
            knowledge, mode, reason, current, started, parsed, terms.analyzed, save_seconds
        )

    def _done(
        self,
        knowledge: KnowledgeBase,
        mode: Mode,
        reason: str,
        current: _Current,
        started: float,
        parsed: int,
        analyzed: int,
        save_seconds: float = 0.0,
    ) -> KnowledgeBase:
        self._last = weakref.ref(knowledge)
        stats = BuildStats(
            mode=mode,
            reason=reason,
            files=len(current.listed),
            files_parsed=parsed,
            passages=knowledge.passage_count,
            passages_analyzed=analyzed,
            snapshot_id=knowledge.snapshot_id,
            seconds=time.perf_counter() - started,
            save_seconds=save_seconds,
        )
        self.last_stats = stats
        log.info(
            "knowledge from %s (%s): %d files, %d parsed; %d passages, %d analyzed; %.2f s",
            mode,
            reason,
            stats.files,
            parsed,
            stats.passages,
            analyzed,
            stats.seconds,
        )
        return knowledge


def _manifest(home: Path) -> tuple[Manifest | None, str]:
    """The published manifest, or None with the reason (a damaged one is a warning)."""
    try:
        pointer = read_version(home)
        if pointer is None:
            return None, "no snapshot yet"
        return read_manifest(home, pointer), "published snapshot"
    except KnowledgeError as error:
        log.warning("%s; rebuilding from the articles", error)
        return None, str(error)


def _attach(home: Path, manifest: Manifest, last: KnowledgeBase | None) -> StoredSnapshot | None:
    """The knowledge in memory as the stored snapshot, when it is that snapshot."""
    if last is None or last.snapshot_id != manifest.snapshot_id:
        return None
    position = {article.id: number for number, article in enumerate(last.articles)}
    owner = np.fromiter(
        (position[p.article_id] for p in last.passages), dtype=np.int64, count=last.passage_count
    )
    directory = home / "snapshots" / manifest.snapshot_id
    return StoredSnapshot(directory, manifest, last.articles, last.passages, owner, last.index)


def _what_changed(manifest: Manifest, current: _Current) -> str:
    before = {(e.fingerprint.path, e.fingerprint.root): e.fingerprint for e in manifest.files}
    now = {(f.path, f.root) for f in current.fingerprints}
    changed = sum(
        1
        for f in current.fingerprints
        if (f.path, f.root) not in before or not f.same_content(before[(f.path, f.root)])
    )
    removed = len(before.keys() - now)
    if changed == 0 and removed == 0 and manifest.index != current.index:
        return "BM25 settings changed"
    return f"{changed} file(s) new or changed, {removed} removed"


def _knowledge(
    stored: StoredSnapshot, analyzer: Analyzer, key: str, started: float
) -> KnowledgeBase:
    manifest = stored.manifest
    report = LoadReport(
        stored.articles, manifest.problems, tuple(Path(e.fingerprint.path) for e in manifest.files)
    )
    return KnowledgeBase(
        articles=stored.articles,
        passages=stored.passages,
        index=stored.index,
        analyzer=analyzer,
        report=report,
        build_seconds=time.perf_counter() - started,
        articles_by_id=MappingProxyType({a.id: a for a in stored.articles}),
        snapshot_id=manifest.snapshot_id,
        content_key=key,
    )


class _TermStream:
    """Yields each passage's terms to `BM25Index.build` while recording what a snapshot needs.

    Term ids are assigned in order of first occurrence, exactly as `BM25Index.build` does, so
    they map onto the index's sorted vocabulary afterwards without another pass.
    """

    def __init__(
        self,
        articles: Sequence[Article],
        reuse: Reuse | None,
        analyzer: Analyzer,
        passage_words: int,
        progress: ProgressCallback | None,
    ) -> None:
        self.articles = articles
        self.reuse = reuse
        self.analyzer = analyzer
        self.passage_words = passage_words
        self.progress = progress
        self.passages: list[Passage] = []
        self.owner = array("q")
        self.ids = array("i")
        self.ptr = array("q", [0])
        self.analyzed = 0
        self.vocabulary: defaultdict[str, int] = defaultdict()
        self.vocabulary.default_factory = self.vocabulary.__len__

    def __iter__(self) -> Iterator[list[str]]:
        total = len(self.articles)
        step = max(1, total // 100)
        lookup = self.vocabulary.__getitem__
        for number, article in enumerate(self.articles):
            for passage, terms in self._passages(article):
                self.passages.append(passage)
                self.owner.append(number)
                self.ids.extend(map(lookup, terms))
                self.ptr.append(len(self.ids))
                yield terms
            if self.progress is not None and ((number + 1) % step == 0 or number + 1 == total):
                self.progress("analyzing", number + 1, total)
        if self.progress is not None:
            self.progress("indexing", 0, 1)

    def _passages(self, article: Article) -> Iterator[tuple[Passage, list[str]]]:
        if self.reuse is not None and self.reuse.reuses(article):
            yield from self.reuse.passages(article)
            return
        for passage in split_passages(article, self.passage_words):
            self.analyzed += 1
            yield passage, self.analyzer.terms(passage.text)

    def index_ids(self, sorted_terms: Sequence[str]) -> np.ndarray[Any, np.dtype[np.int32]]:
        """Every passage's term ids in the index's sorted vocabulary (`sorted_terms`)."""
        if len(self.vocabulary) != len(sorted_terms):
            raise KnowledgeError("term stream and index disagree on the vocabulary")
        position = {term: number for number, term in enumerate(sorted_terms)}
        rank = array("i", [position[term] for term in self.vocabulary])
        rank_array = np.frombuffer(rank, dtype=np.int32) if len(rank) else np.empty(0, np.int32)
        local = np.frombuffer(self.ids, dtype=np.int32) if len(self.ids) else np.empty(0, np.int32)
        return rank_array[local]


def decode_terms(arrays: Mapping[str, np.ndarray[Any, Any]]) -> list[str]:
    """The sorted vocabulary from `BM25Index.to_arrays()`."""
    joined = arrays["terms_utf8"].tobytes().decode("utf-8")
    ends = arrays["terms_end"].tolist()
    return [joined[a:b] for a, b in spans_from_ends(ends)]


def _publish(
    home: Path,
    knowledge: KnowledgeBase,
    loads: Sequence[FileLoad],
    fingerprints: Sequence[FileFingerprint],
    report: LoadReport,
    terms: _TermStream,
    current: _Current,
    progress: ProgressCallback | None,
) -> KnowledgeBase:
    """Write and publish the snapshot; on failure warn and return the knowledge unchanged."""
    if progress is not None:
        progress("saving", 0, 1)
    kept = {id(article) for article in report.articles}
    entries: list[FileEntry] = []
    position = 0
    for load, fingerprint in zip(loads, fingerprints, strict=True):
        count = sum(1 for article in load.articles if id(article) in kept)
        complete = count == len(load.articles)
        entries.append(FileEntry(fingerprint, position, position + count, complete, load.problems))
        position += count
    try:
        index_arrays = knowledge.index.to_arrays()
        payload = SnapshotPayload(
            articles=knowledge.articles,
            passages=knowledge.passages,
            passage_article=np.frombuffer(terms.owner, dtype=np.int64),
            index=knowledge.index,
            tok_ptr=np.frombuffer(terms.ptr, dtype=np.int64),
            tok_ids=terms.index_ids(decode_terms(index_arrays[0])),
            files=entries,
            problems=report.problems,
            analysis=current.analysis,
            index_key=current.index,
            content_key=current.key,
            paths=[path.as_posix() for path in current.paths],
            build_seconds=knowledge.build_seconds,
            index_arrays=index_arrays,
        )
        pointer = write_snapshot(home, payload)
    except (OSError, ValueError, KnowledgeError) as error:
        log.warning("could not save the knowledge snapshot in %s: %s", home, error)
        return knowledge
    finally:
        if progress is not None:
            progress("saving", 1, 1)
    log.info("published snapshot %s in %s", pointer.snapshot_id, home)
    return replace(knowledge, snapshot_id=pointer.snapshot_id)


def snapshot_builder(settings: Settings) -> SnapshotBuilder | None:
    """The builder the service should use: snapshots unless `DATELINE_USE_SNAPSHOT` is off."""
    return SnapshotBuilder() if settings.use_snapshot else None


def published_articles_per_file(settings: Settings) -> dict[str, int]:
    """Article count per source file in the published snapshot (empty when there is none):
    what the bot serves, for `dateline index build`'s reload safety check."""
    manifest, _ = _manifest(snapshot_home(settings, list(settings.knowledge_paths)))
    if manifest is None:
        return {}
    counts: dict[str, int] = defaultdict(int)
    for entry in manifest.files:
        counts[entry.fingerprint.path] += entry.end_article - entry.first_article
    return dict(counts)


def snapshot_status(settings: Settings, stats: BuildStats | None = None) -> dict[str, Any]:
    """The published snapshot of the configured knowledge, and whether it is current."""
    current = _current(settings, None)
    home = snapshot_home(settings, current.paths)
    status: dict[str, Any] = {"home": home.as_posix(), "published": False, "current": False}
    if stats is not None:
        status["build"] = {
            "mode": stats.mode,
            "reason": stats.reason,
            "files": stats.files,
            "files_parsed": stats.files_parsed,
            "passages": stats.passages,
            "passages_analyzed": stats.passages_analyzed,
            "seconds": round(stats.seconds, 3),
            "save_seconds": round(stats.save_seconds, 3),
        }
    manifest, reason = _manifest(home)
    if manifest is None:
        status["reason"] = reason
        return status
    status.update(
        published=True,
        snapshot=manifest.snapshot_id,
        created_at=manifest.created_at,
        articles=manifest.counts.get("articles"),
        passages=manifest.counts.get("passages"),
        files=len(manifest.files),
        bytes=snapshot_bytes(home, manifest),
        current=manifest.content_key == current.key,
        reason="up to date"
        if manifest.content_key == current.key
        else (
            "settings, analyzer or code changed"
            if manifest.analysis != current.analysis
            else _what_changed(manifest, current)
        ),
        # Files that fail to load and are served from their last good version.
        stale_files=[
            {"file": problem.file, "reason": stale_reason(problem)}
            for entry in manifest.files
            for problem in stale_among(entry.problems)
        ],
    )
    return status

"""What a build takes from the stored snapshot: the articles, passages and terms of unchanged
files, and the last good version of files that fail to load now."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from bot.errors import KnowledgeError
from bot.knowledge import Article, FileLoad, Passage, stale_problem
from bot.snapshot.fingerprints import FileFingerprint
from bot.snapshot.load import StoredSnapshot

log = logging.getLogger(__name__)


class Reuse:
    """Articles, passages and terms of the unchanged files of a stored snapshot."""

    def __init__(self, stored: StoredSnapshot) -> None:
        self.stored = stored
        self.entries = {(e.fingerprint.path, e.fingerprint.root): e for e in stored.manifest.files}
        count = len(stored.articles)
        owner = stored.passage_article
        self.first = np.searchsorted(owner, np.arange(count), side="left").tolist()
        self.end = np.searchsorted(owner, np.arange(count), side="right").tolist()
        self.tok_ptr, self.tok_ids = stored.terms()
        self.vocabulary = np.empty(stored.index.vocabulary_size, dtype=object)
        for number, term in enumerate(stored.vocabulary()):  # no single long GIL hold
            self.vocabulary[number] = term
        self.origin: dict[int, int] = {}  # id(article) -> its position in the stored snapshot

    @classmethod
    def of(cls, stored: StoredSnapshot) -> Reuse | None:
        """None (with a warning) when the stored terms cannot be read."""
        try:
            return cls(stored)
        except KnowledgeError as error:
            log.warning("%s; rebuilding from the articles", error)
            return None

    def file(self, path: Path, fingerprint: FileFingerprint) -> FileLoad | None:
        """The stored load of an unchanged, complete file, else None."""
        entry = self.entries.get((fingerprint.path, fingerprint.root))
        if entry is None or not entry.complete or not fingerprint.same_content(entry.fingerprint):
            return None
        articles = self.stored.articles[entry.first_article : entry.end_article]
        for number, article in enumerate(articles, start=entry.first_article):
            self.origin[id(article)] = number
        return FileLoad(path, articles, entry.problems)

    def last_good(
        self, key: tuple[str, str], path: Path, reason: str, now: int = 0
    ) -> FileLoad | None:
        """The stored articles of a file that fails to load now, marked stale; None when the
        snapshot has no more of its articles than the `now` that still load (a feed that
        appended records and truncated the last keeps its new ones)."""
        entry = self.entries.get(key)
        if entry is None or entry.end_article - entry.first_article <= now:
            return None
        articles = self.stored.articles[entry.first_article : entry.end_article]
        for number, article in enumerate(articles, start=entry.first_article):
            self.origin[id(article)] = number
        log.warning("%s fails to load (%s): serving its last good version", key[0], reason)
        return FileLoad(path, articles, (stale_problem(key[0], reason),))

    def replaced_by_folders(
        self, listed: Sequence[FileFingerprint]
    ) -> Iterator[tuple[FileLoad, FileFingerprint]]:
        """Stored files whose path is now something other than a file (a folder): their last
        good version, with the stored fingerprint."""
        seen = {(fingerprint.path, fingerprint.root) for fingerprint in listed}
        for key, entry in self.entries.items():
            path = Path(key[0])
            if key in seen or not path.exists() or path.is_file():
                continue
            load = self.last_good(key, path, "replaced by a folder, not a file")
            if load is not None:
                yield load, entry.fingerprint

    def passages(self, article: Article) -> Iterator[tuple[Passage, list[str]]]:
        """The stored passages of a reused article with their terms; empty if not reused."""
        number = self.origin.get(id(article))
        if number is None:
            return
        ptr, ids, vocabulary = self.tok_ptr, self.tok_ids, self.vocabulary
        for p in range(self.first[number], self.end[number]):
            yield self.stored.passages[p], vocabulary[ids[ptr[p] : ptr[p + 1]]].tolist()

    def reuses(self, article: Article) -> bool:
        """Whether the article comes from the stored snapshot."""
        return id(article) in self.origin

"""The knowledge base: one immutable snapshot of articles, passages and their BM25 index.

A snapshot is never mutated: a reload builds a new one, so a question is always answered
from one consistent knowledge base.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from bot.knowledge.articles import Article, LoadReport, load_articles
from bot.knowledge.passages import Passage, split_all
from bot.retrieval import BM25Index, BM25Params
from bot.settings import Settings
from bot.text import Analyzer

log = logging.getLogger(__name__)

# Called as progress(stage, done, total) during long builds so front ends can draw a bar.
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True, weakref_slot=True)
class KnowledgeBase:
    """Everything needed to answer a question, frozen at build time."""

    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    index: BM25Index
    analyzer: Analyzer
    report: LoadReport
    built_at: float = field(default_factory=time.time)
    build_seconds: float = 0.0
    articles_by_id: Mapping[str, Article] = field(default_factory=lambda: MappingProxyType({}))
    # Set when this knowledge is (or was saved as) a published snapshot; see bot/snapshot/store.py.
    snapshot_id: str | None = None
    content_key: str | None = None

    @property
    def article_count(self) -> int:
        """How many articles are searchable."""
        return len(self.articles)

    @property
    def passage_count(self) -> int:
        """How many passages are indexed."""
        return len(self.passages)

    def article_of(self, passage: Passage) -> Article:
        """The article a passage belongs to."""
        return self.articles_by_id[passage.article_id]

    def passage_counts(self) -> Counter[str]:
        """Passages per article id (one pass over the passages: for display, not retrieval)."""
        return Counter(passage.article_id for passage in self.passages)


def bm25_params(settings: Settings) -> BM25Params:
    """The BM25 parameters configured by `DATELINE_BM25_*` (the index itself never reads
    settings)."""
    return BM25Params(
        variant=settings.bm25_variant,
        k1=settings.bm25_k1,
        b=settings.bm25_b,
        epsilon=settings.bm25_epsilon,
        delta=settings.bm25_delta,
    )


def index_passages(
    passages: Sequence[Passage],
    analyzer: Analyzer,
    params: BM25Params,
    progress: ProgressCallback | None = None,
) -> BM25Index:
    """Analyze every passage and fit the BM25 index over them.

    The terms are streamed into the build, never held for all passages at once.
    """
    total = len(passages)
    step = max(1, total // 100)

    def analyzed() -> Iterator[list[str]]:
        for number, passage in enumerate(passages, start=1):
            yield analyzer.terms(passage.text)
            if progress is not None and (number % step == 0 or number == total):
                progress("analyzing", number, total)
        if progress is not None:
            progress("indexing", 0, 1)

    index = BM25Index.build(analyzed(), params)
    if progress is not None:
        progress("indexing", 1, 1)
    return index


def assemble(
    report: LoadReport,
    settings: Settings,
    progress: ProgressCallback | None = None,
    started: float | None = None,
) -> KnowledgeBase:
    """Cut loaded articles into passages and index them."""
    started = time.perf_counter() if started is None else started
    analyzer = Analyzer(settings.language)
    passages = split_all(report.articles, settings.passage_words)
    index = index_passages(passages, analyzer, bm25_params(settings), progress)
    elapsed = time.perf_counter() - started
    log.info(
        "knowledge base built: %d articles, %d passages, %d problems in %.2f s",
        len(report.articles),
        len(passages),
        len(report.problems),
        elapsed,
    )
    return KnowledgeBase(
        articles=report.articles,
        passages=tuple(passages),
        index=index,
        analyzer=analyzer,
        report=report,
        build_seconds=elapsed,
        articles_by_id=MappingProxyType({article.id: article for article in report.articles}),
    )


def build_knowledge_base(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    progress: ProgressCallback | None = None,
) -> KnowledgeBase:
    """Load the articles under `paths` (default: the configured knowledge paths) and index them."""
    started = time.perf_counter()
    report = load_articles(list(paths or settings.knowledge_paths), settings.max_file_bytes)
    return assemble(report, settings, progress, started)

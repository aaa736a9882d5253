"""The one service every front end talks to: ask questions, reload the knowledge base.

It holds the current immutable `KnowledgeBase`. A reload builds a new snapshot off the
caller's thread and swaps a single reference, so answers never see a half-built index; a
failed build leaves the old snapshot serving; two reloads never run at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.answers import Answer, answer_question, shared_word_vectors
from bot.answers.neural import INTERACTIVE_LIMIT, NeuralStage, shared_stage
from bot.errors import KnowledgeError, ReloadInProgressError
from bot.knowledge import (
    KnowledgeBase,
    LoadProblem,
    ProgressCallback,
    build_knowledge_base,
    stale_among,
    stale_reason,
)
from bot.neural import EncoderState
from bot.serving.embedding import BackgroundEmbedder
from bot.serving.reload_guard import ReloadRefusal, articles_per_file, check_reload
from bot.settings import Settings
from bot.snapshot import snapshot_builder

log = logging.getLogger(__name__)

Builder = Callable[[Settings, Sequence[Path] | None, ProgressCallback | None], KnowledgeBase]


@dataclass(frozen=True, slots=True)
class ReloadReport:
    """What a reload changed, or why it failed (the previous knowledge then keeps serving)."""

    ok: bool
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    problems: tuple[LoadProblem, ...] = ()
    articles: int = 0
    passages: int = 0
    seconds: float = 0.0
    error: str | None = None
    finished_at: float = field(default_factory=time.time)
    # Refused by the reload safety rule (bot.serving.reload_guard): a confirmed reload
    # (`force`) would go ahead.
    needs_confirmation: bool = False

    @property
    def stale(self) -> tuple[LoadProblem, ...]:
        """Files that failed to load and are served from their last good version."""
        return stale_among(self.problems)

    def summary(self) -> str:
        """One line for logs and chat replies."""
        if self.needs_confirmation:
            return (
                f"reload refused: {self.error}; the previous knowledge is still serving "
                "(confirm the reload to go ahead)"
            )
        if not self.ok:
            return (
                f"reload failed after {self.seconds:.2f} s: {self.error}; "
                "the previous knowledge is still serving"
            )
        line = (
            f"{self.articles} articles, {self.passages} passages "
            f"(+{len(self.added)} / -{len(self.removed)} / ~{len(self.changed)}), "
            f"{len(self.problems)} problems, {self.seconds:.2f} s"
        )
        if self.stale:
            line += "; last good version served for " + "; ".join(
                f"{problem.file} ({stale_reason(problem)})" for problem in self.stale[:5]
            )
            if len(self.stale) > 5:
                line += f"; and {len(self.stale) - 5} more"
        if self.removed:
            shown = ", ".join(self.removed[:5])
            line += f"; removed: {shown}" + (" …" if len(self.removed) > 5 else "")
        return line


def compare(
    old: KnowledgeBase | None, new: KnowledgeBase
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(added, removed, changed) article ids between two snapshots."""
    before = dict(old.articles_by_id) if old is not None else {}
    after = new.articles_by_id
    added = tuple(article_id for article_id in after if article_id not in before)
    removed = tuple(article_id for article_id in before if article_id not in after)
    changed = tuple(
        article_id
        for article_id, article in after.items()
        if article_id in before and before[article_id] != article
    )
    return added, removed, changed


class KnowledgeService:
    """Answers questions from the current snapshot and swaps in new ones on reload."""

    def __init__(
        self,
        settings: Settings,
        paths: Sequence[Path] | None = None,
        builder: Builder | None = None,
    ) -> None:
        """`builder` defaults to `SnapshotBuilder` (snapshots on) or `build_knowledge_base`."""
        self.settings = settings
        self.paths = list(paths) if paths is not None else list(settings.knowledge_paths)
        self._builder: Builder = builder or snapshot_builder(settings) or build_knowledge_base
        self._knowledge: KnowledgeBase | None = None
        self._reload_lock = threading.Lock()
        self.last_reload: ReloadReport | None = None
        self.started_at = time.time()
        self._neural: tuple[EncoderState, NeuralStage | None] | None = None
        self.embedder: BackgroundEmbedder | None = None
        self._answering: NeuralStage | None = None  # the stage as questions use it

    @property
    def neural_state(self) -> EncoderState:
        """Whether the neural stage is on, and why not (loaded once, on first use)."""
        return self._neural_pair()[0]

    @property
    def neural(self) -> NeuralStage | None:
        """The neural re-ranking stage, or None (off, or its model could not be loaded)."""
        return self._neural_pair()[1]

    def _neural_pair(self) -> tuple[EncoderState, NeuralStage | None]:
        if self._neural is None:
            self._neural = shared_stage(self.settings)
        return self._neural

    def reranker_summary(self) -> str:
        """One line for `dateline check`, `index status` and `/admin status`."""
        state = self.neural_state
        stage = self.neural
        if stage is None:
            return f"Re-ranker: {state.reason}; answering BM25-only"
        embedder = self.embedder
        if embedder is not None and embedder.progress.total:
            return f"Re-ranker: {state.reason}, vectors {embedder.progress.summary()}"
        knowledge = self._knowledge
        if knowledge is None:
            return f"Re-ranker: {state.reason}"
        embedded, total = stage.coverage(knowledge)
        share = embedded / total if total else 1.0
        return (
            f"Re-ranker: {state.reason}, vectors for {embedded:,}/{total:,} texts ({share:.0%}); "
            "the rest are embedded when a question needs them"
        )

    def save_vectors(self) -> int:
        """Write the vectors made since the last save (on-demand ones too); returns how many."""
        pair = self._neural
        if pair is None or pair[1] is None:
            return 0
        return pair[1].vectors.flush()

    def start_background_embedding(self) -> BackgroundEmbedder | None:
        """Embed the serving knowledge in the background (again after every swap)."""
        stage = self.neural
        if stage is None:
            return None
        if self.embedder is None:
            self.embedder = BackgroundEmbedder(stage)
            self._answering = stage.limited(INTERACTIVE_LIMIT)  # the walk embeds the rest
        knowledge = self._knowledge
        if knowledge is not None:
            self.embedder.start(knowledge)
        return self.embedder

    @property
    def knowledge(self) -> KnowledgeBase:
        """The snapshot currently serving; loads it on first use."""
        knowledge = self._knowledge
        if knowledge is None:
            report = self.reload()
            knowledge = self._knowledge
            if knowledge is None:
                raise KnowledgeError(f"the knowledge base could not be loaded: {report.error}")
        return knowledge

    @property
    def loaded(self) -> bool:
        """Whether a snapshot is serving."""
        return self._knowledge is not None

    @property
    def snapshot_id(self) -> str | None:
        """The published snapshot serving now, if the knowledge is one."""
        knowledge = self._knowledge
        return knowledge.snapshot_id if knowledge is not None else None

    @property
    def content_key(self) -> str | None:
        """What the serving knowledge was built from (equal keys, equal knowledge)."""
        knowledge = self._knowledge
        return knowledge.content_key if knowledge is not None else None

    @property
    def builder(self) -> Builder:
        """The builder reloads use."""
        return self._builder

    @property
    def reloading(self) -> bool:
        """Whether a reload is running right now."""
        return self._reload_lock.locked()

    def ask(self, question: str, alternatives: int | None = None) -> Answer:
        """Answer from one consistent snapshot (read once, so a concurrent swap is harmless)."""
        knowledge = self.knowledge
        settings = self.settings
        return answer_question(
            knowledge,
            question,
            alternatives=settings.alternatives if alternatives is None else alternatives,
            max_question_chars=settings.max_question_chars,
            quote_max_chars=settings.quote_max_chars,
            abstain_threshold=settings.abstain_threshold,
            semantic=settings.semantic_similarity,
            neural=self._answering or self.neural,
        )

    def install(self, knowledge: KnowledgeBase) -> ReloadReport:
        """Serve an already built snapshot (the CLI builds with a progress bar first)."""
        self._neural_pair()  # load the model now, not inside the first answer's time
        with self._reload_lock:
            return self._swap(knowledge, started=time.perf_counter() - knowledge.build_seconds)

    def reload(
        self, progress: ProgressCallback | None = None, *, force: bool = False
    ) -> ReloadReport:
        """Build a new snapshot in this thread and swap it in; refuses to overlap another.

        Without `force`, a reload the safety rule refuses (a missing knowledge path, most
        articles' files gone) builds nothing and keeps the current knowledge serving; the
        first load of a service with a missing path is refused whatever `force` says: an empty
        bot is never what the operator meant.
        """
        if not self._reload_lock.acquire(blocking=False):
            raise ReloadInProgressError("a reload is already running; try again when it finishes")
        try:
            return self._reload_locked(progress, force)
        finally:
            self._reload_lock.release()

    def _reload_locked(self, progress: ProgressCallback | None, force: bool) -> ReloadReport:
        started = time.perf_counter()
        if not force or self._knowledge is None:
            refusal = check_reload(
                self.paths,
                articles_per_file(self._knowledge),
                self.settings.reload_max_removed_share,
            )
            if refusal is not None and (not force or refusal.missing_paths):
                return self._refused(refusal, started)
        try:
            new = self._builder(self.settings, self.paths, progress)
        except Exception as error:  # any failure must leave the old snapshot serving
            log.exception("reload failed; keeping the previous knowledge base")
            return self._failed(error, started)
        if self.settings.semantic_similarity:
            shared_word_vectors()  # read once here, off the event loop, not in the first answer
        self._neural_pair()  # the model too
        return self._swap(new, started)

    def _refused(self, refusal: ReloadRefusal, started: float) -> ReloadReport:
        """Record a reload the safety rule stopped; the current knowledge keeps serving."""
        report = ReloadReport(
            ok=False,
            seconds=time.perf_counter() - started,
            error=refusal.reason,
            needs_confirmation=self._knowledge is not None,
        )
        self.last_reload = report
        log.warning("%s", report.summary())
        return report

    def _failed(self, error: Exception, started: float) -> ReloadReport:
        """Record a build that failed; the current knowledge keeps serving."""
        report = ReloadReport(
            ok=False,
            seconds=time.perf_counter() - started,
            error=f"{type(error).__name__}: {error}",
        )
        self.last_reload = report
        return report

    def _swap(self, new: KnowledgeBase, started: float) -> ReloadReport:
        added, removed, changed = compare(self._knowledge, new)
        self._knowledge = new
        report = ReloadReport(
            ok=True,
            added=added,
            removed=removed,
            changed=changed,
            problems=new.report.problems,
            articles=new.article_count,
            passages=new.passage_count,
            seconds=time.perf_counter() - started,
        )
        self.last_reload = report
        log.info("knowledge reloaded: %s", report.summary())
        if self.embedder is not None:
            self.embedder.start(new)
        return report

    def adopt_snapshot(self) -> ReloadReport:
        """Serve the snapshot another process published, without re-reading the articles.

        Needs a builder with `adopt` (the default `SnapshotBuilder`); refuses to overlap a
        reload; a snapshot that cannot be adopted leaves the current knowledge serving.
        """
        adopt = getattr(self._builder, "adopt", None)
        if adopt is None:
            raise KnowledgeError("this service does not use snapshots (DATELINE_USE_SNAPSHOT)")
        if not self._reload_lock.acquire(blocking=False):
            raise ReloadInProgressError("a reload is already running; try again when it finishes")
        started = time.perf_counter()
        try:
            try:
                new = adopt(self.settings, self.paths)
            except Exception as error:  # keep serving what we have
                log.warning("could not adopt the published snapshot: %s", error)
                return self._failed(error, started)
            return self._swap(new, started)
        finally:
            self._reload_lock.release()

    async def adopt_snapshot_async(self) -> ReloadReport:
        """`adopt_snapshot` in a worker thread, so the event loop keeps answering."""
        if self.reloading:
            raise ReloadInProgressError("a reload is already running; try again when it finishes")
        return await asyncio.to_thread(self.adopt_snapshot)

    async def reload_async(
        self, progress: ProgressCallback | None = None, *, force: bool = False
    ) -> ReloadReport:
        """Reload in a worker thread so the event loop keeps answering meanwhile."""
        if self.reloading:
            raise ReloadInProgressError("a reload is already running; try again when it finishes")
        return await asyncio.to_thread(functools.partial(self.reload, progress, force=force))

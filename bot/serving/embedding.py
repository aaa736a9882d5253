"""Making a knowledge base fully neural in the background, while it already answers.

After each swap the embedder walks the serving knowledge's passages and embeds every text the
neural stage reads that has no vector yet, a small batch at a time (an interactive question
waits at most one batch for the encoder), saving the vectors every `FLUSH_SECONDS`. A newer
swap starts a new walk; texts already embedded are skipped by content, so a reload that
changed one file embeds that file only.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from bot.answers.neural import NeuralStage
from bot.knowledge import KnowledgeBase

log = logging.getLogger(__name__)

BATCH = 16
# The walk embeds only after this long without a question (a burst is answered first).
QUIET_SECONDS = 0.5
# The walk sorts each run of this many texts by length, so a batch holds texts of about the same
# length: a passage and its short sentences in one batch would pad every sentence to the
# passage's length.
SORT_WINDOW = 2048


def by_length_in_windows(positions: list[int], texts: list[str]) -> list[int]:
    """`positions` with each run of `SORT_WINDOW` sorted by the length of its text (the walk
    still moves through the knowledge in order, window by window)."""
    return [
        position
        for first in range(0, len(positions), SORT_WINDOW)
        for position in sorted(
            positions[first : first + SORT_WINDOW], key=lambda index: len(texts[index])
        )
    ]


FLUSH_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class EmbeddingProgress:
    """How far the serving knowledge is from fully neural."""

    total: int  # texts the stage reads (passages and their sentences)
    embedded: int
    seconds: float
    running: bool
    embedded_now: int = 0  # made by this walk (the rest were cached)

    @property
    def share(self) -> float:
        return self.embedded / self.total if self.total else 1.0

    @property
    def rate(self) -> float:
        """Texts embedded per second by this walk."""
        return self.embedded_now / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        state = "embedding" if self.running else "ready"
        line = f"{state}: {self.embedded:,}/{self.total:,} texts ({self.share:.0%})"
        if self.embedded_now:
            line += f", {self.embedded_now:,} new at {self.rate:.0f}/s"
        return line


class BackgroundEmbedder:
    """One daemon thread per walk; `start(knowledge)` supersedes the walk before it."""

    def __init__(self, stage: NeuralStage) -> None:
        self.stage = stage
        self._generation = 0
        self._lock = threading.Lock()
        self._progress = EmbeddingProgress(0, 0, 0.0, False)
        self._thread: threading.Thread | None = None

    @property
    def progress(self) -> EmbeddingProgress:
        return self._progress

    def start(self, knowledge: KnowledgeBase) -> threading.Thread:
        with self._lock:
            self._generation += 1
            generation = self._generation
        thread = threading.Thread(
            target=self._walk, args=(knowledge, generation), name="dateline-embedder", daemon=True
        )
        self._thread = thread
        thread.start()
        return thread

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current walk ends (tests, `dateline index build --neural`)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self._progress.running

    def stop(self) -> None:
        with self._lock:
            self._generation += 1

    def _yield_to_questions(self, generation: int) -> None:
        """Wait while questions are coming in (the walk is the bot's lowest priority: two
        cores cannot answer a burst and embed an archive at once)."""
        activity = self.stage.activity
        while generation == self._generation and activity.quiet_for() < QUIET_SECONDS:
            time.sleep(QUIET_SECONDS / 4)

    def _walk(self, knowledge: KnowledgeBase, generation: int) -> None:
        started = time.perf_counter()
        vectors = self.stage.vectors
        texts = list(dict.fromkeys(self.stage.knowledge_texts(knowledge)))
        keys = [vectors.key(text) for text in texts]
        todo = by_length_in_windows(vectors.missing(keys), texts)
        total = len(texts)
        done = total - len(todo)
        made = 0
        self._progress = EmbeddingProgress(total, done, 0.0, bool(todo))
        if todo:
            log.info("Embedding %d of %d texts in the background", len(todo), total)
        last_flush = time.monotonic()
        next_log = 0.1
        for first in range(0, len(todo), BATCH):
            self._yield_to_questions(generation)
            if generation != self._generation:
                log.info("Background embedding superseded by a newer knowledge base")
                break
            batch = [position for position in todo[first : first + BATCH]]
            batch = [position for position in batch if not vectors.has(keys[position])]
            if batch:
                try:
                    matrix = self.stage.encode([texts[position] for position in batch])
                except Exception:
                    log.exception(
                        "Background embedding failed; answers stay BM25-only for the rest"
                    )
                    break
                vectors.add([keys[position] for position in batch], matrix)
                made += len(batch)
            done += len(todo[first : first + BATCH])
            elapsed = time.perf_counter() - started
            self._progress = EmbeddingProgress(total, done, elapsed, True, made)
            if done / total >= next_log:
                log.info("Embedding: %s", self._progress.summary())
                next_log += 0.1
            if time.monotonic() - last_flush > FLUSH_SECONDS:
                vectors.flush()
                last_flush = time.monotonic()
        vectors.flush()
        elapsed = time.perf_counter() - started
        self._progress = EmbeddingProgress(total, done, elapsed, False, made)
        if made:
            log.info("Embedding finished: %s in %.1f s", self._progress.summary(), elapsed)

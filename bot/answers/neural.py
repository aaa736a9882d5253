"""The neural re-ranking stage: how close, in the sentence encoder's space, each candidate
passage and quote window is to the question.

BM25 finds the candidates; this stage only describes them. Vectors come from the
content-addressed `VectorCache` (made in the background for the whole knowledge base, or
here, on demand, for candidates not embedded yet), so a question costs one encoder call for
itself and a few dot products. When the encoder is unavailable or turned off there is no
stage and answers are BM25-only, with the weights fitted for that mode.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.answers.dense import DensePassages
from bot.knowledge import KnowledgeBase, Passage
from bot.neural import Encoder, EncoderState, VectorCache, load_encoder
from bot.settings import Settings

log = logging.getLogger(__name__)

# While a background walk is embedding the knowledge (the bot, `dateline chat`), a question
# embeds at most this many missing texts itself (≤ ~0.3 s on two cores: an article just added
# or changed); one needing more is answered BM25-only and its texts are left to the walk.
# Without a walk (`dateline ask`, eval) there is no limit: the first run embeds what it needs
# and saves it.
INTERACTIVE_LIMIT = 16


@dataclass(frozen=True, slots=True)
class NeuralEvidence:
    """The encoder's view of one candidate passage."""

    windows: npt.NDArray[np.float32]  # cosine of each quote window with the question
    passage: float  # cosine of the whole passage with the question
    best_sentence: float  # the passage's closest sentence


def passage_texts(knowledge: KnowledgeBase, passage: Passage) -> tuple[str, list[str]]:
    """What the stage embeds for a passage: its text and each of its sentences."""
    text = knowledge.article_of(passage).text
    spans = passage.sentence_spans() or [(passage.start, passage.end)]
    return text[passage.start : passage.end], [text[start:end] for start, end in spans]


class Activity:
    """When a question last used the encoder: background work yields to questions."""

    def __init__(self) -> None:
        self.last_question = -1e9  # time.monotonic() of the last question

    def asked(self) -> None:
        self.last_question = time.monotonic()

    def quiet_for(self) -> float:
        """Seconds since the last question."""
        return time.monotonic() - self.last_question


class NeuralStage:
    """The encoder and its vectors, shared by every question of a process."""

    def __init__(
        self,
        encoder: Encoder,
        vectors: VectorCache,
        *,
        on_demand: bool = True,
        on_demand_limit: int | None = None,
    ) -> None:
        self.encoder = encoder
        self.vectors = vectors
        self.on_demand = on_demand
        self.on_demand_limit = on_demand_limit
        # One inference at a time: the session already uses every core it was given, so a
        # burst queues here instead of oversubscribing the machine.
        self.inference = threading.Lock()
        self.activity = Activity()
        self.embedded_on_demand = 0
        self.dense = DensePassages(
            vectors, lambda knowledge, passage: passage_texts(knowledge, passage)[0]
        )

    def limited(self, on_demand_limit: int) -> NeuralStage:
        """The same encoder, vectors and inference lock, embedding at most `on_demand_limit`
        texts per question."""
        view = NeuralStage(
            self.encoder, self.vectors, on_demand=self.on_demand, on_demand_limit=on_demand_limit
        )
        view.inference = self.inference
        view.activity = self.activity
        view.dense = self.dense
        return view

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        with self.inference:
            return self.encoder.encode(texts)

    def question_vector(self, question: str) -> npt.NDArray[np.float32]:
        self.activity.asked()
        vector: npt.NDArray[np.float32] = self.encode([question])[0]
        return vector

    def embed_missing(self, texts: Sequence[str]) -> int:
        """Embed and keep the texts that have no vector yet; returns how many were made."""
        keys = [self.vectors.key(text) for text in texts]
        missing = self.vectors.missing(keys)
        if not missing:
            return 0
        unique = {keys[position]: texts[position] for position in missing}
        made = self.encode(list(unique.values()))
        self.vectors.add(list(unique), made)
        return len(unique)

    def evidence(
        self,
        question: npt.NDArray[np.float32],
        passages: Sequence[tuple[str, list[str], list[tuple[int, int]]]],
    ) -> list[NeuralEvidence] | None:
        """For each (passage text, sentences, windows as sentence index pairs): the cosines.

        Texts without vectors are embedded now (up to `on_demand_limit`); past that, or with
        on-demand embedding off, None: the question is answered BM25-only.
        """
        texts = [text for passage, sentences, _ in passages for text in (passage, *sentences)]
        keys = [self.vectors.key(text) for text in texts]
        missing = self.vectors.missing(keys)
        if missing:
            limit = self.on_demand_limit
            if not self.on_demand or (limit is not None and len(missing) > limit):
                return None
            unique = {keys[position]: texts[position] for position in missing}
            self.vectors.add(list(unique), self.encode(list(unique.values())))
            self.embedded_on_demand += len(unique)
        matrix = self.vectors.find(keys)
        if matrix is None:  # pragma: no cover - vectors are never dropped while serving
            return None
        cosines = matrix @ question
        result: list[NeuralEvidence] = []
        row = 0
        for _, sentences, windows in passages:
            passage_cosine = float(cosines[row])
            sentence_rows = matrix[row + 1 : row + 1 + len(sentences)]
            sentence_cosines = cosines[row + 1 : row + 1 + len(sentences)]
            window_cosines = np.empty(len(windows), dtype=np.float32)
            for number, (first, last) in enumerate(windows):
                if first == last:
                    window_cosines[number] = sentence_cosines[first]
                else:
                    summed = sentence_rows[first : last + 1].sum(axis=0)
                    norm = float(np.linalg.norm(summed)) or 1.0
                    window_cosines[number] = float(summed @ question) / norm
            best = float(sentence_cosines.max()) if len(sentences) else passage_cosine
            result.append(NeuralEvidence(window_cosines, passage_cosine, best))
            row += 1 + len(sentences)
        return result

    def coverage(self, knowledge: KnowledgeBase) -> tuple[int, int]:
        """(texts with a vector, texts the stage reads) for `knowledge`."""
        keys = {self.vectors.key(text) for text in self.knowledge_texts(knowledge)}
        return len(keys) - len(self.vectors.missing(list(keys))), len(keys)

    def knowledge_texts(self, knowledge: KnowledgeBase) -> Iterator[str]:
        """Every text the stage embeds for `knowledge`, passage by passage."""
        for passage in knowledge.passages:
            text, sentences = passage_texts(knowledge, passage)
            yield text
            yield from sentences


def vector_folder(settings: Settings) -> Path:
    """Where the vectors are kept: `vector_dir`, or beside the snapshots in the cache folder."""
    return settings.vector_dir or settings.cache_dir / "vectors"


@cache
def _encoder(enabled: bool, threads: int) -> EncoderState:
    return load_encoder(enabled, threads=threads)


@cache
def _stage(
    enabled: bool, folder: Path | None, threads: int
) -> tuple[EncoderState, NeuralStage | None]:
    state = _encoder(enabled, threads)
    if state.encoder is None:
        return state, None
    return state, NeuralStage(state.encoder, VectorCache(state.encoder.model_id, folder))


def shared_stage(
    settings: Settings, *, persist: bool = True
) -> tuple[EncoderState, NeuralStage | None]:
    """The process's neural stage for these settings (the model is loaded once, the vectors
    once per cache folder): its state, and the stage or None when it is off or could not be
    loaded (answers then go on BM25-only)."""
    folder = vector_folder(settings) if persist else None
    return _stage(settings.reranker, folder, settings.reranker_threads)

"""The neural stage's figures for `dateline bench`: answer latency with cold and with warm
vectors, encoder throughput, and the projected time to embed the whole knowledge base.

Cold: the vector cache is empty. As the bot serves then (its background walk has not reached
the candidates yet), each question embeds at most `INTERACTIVE_LIMIT` texts or is answered
BM25-only; as a first batch run does, each question embeds all its candidates. Warm: the same
questions again, every candidate's vectors cached. Throughput: the background walk's own
batches (length-sorted windows, as it makes them) over the first `THROUGHPUT_TEXTS` texts of
the knowledge base; the full-embedding time is that rate applied to every text the stage
reads (a projection, labelled as such).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from bot.answers import answer_question
from bot.answers.neural import INTERACTIVE_LIMIT, NeuralStage
from bot.knowledge import KnowledgeBase
from bot.neural import VectorCache, load_encoder
from bot.serving.embedding import BATCH, by_length_in_windows
from bot.settings import Settings
from bot.tooling.bench.baselines import latency_figures

THROUGHPUT_TEXTS = 2_000


def _ask_ms(
    knowledge: KnowledgeBase, settings: Settings, stage: NeuralStage, questions: Sequence[str]
) -> list[float]:
    times = []
    for question in questions:
        started = time.perf_counter()
        answer_question(
            knowledge,
            question,
            alternatives=settings.alternatives,
            max_question_chars=settings.max_question_chars,
            quote_max_chars=settings.quote_max_chars,
            abstain_threshold=settings.abstain_threshold,
            semantic=settings.semantic_similarity,
            neural=stage,
        )
        times.append((time.perf_counter() - started) * 1000)
    return times


def neural_figures(
    knowledge: KnowledgeBase, settings: Settings, questions: Sequence[str]
) -> dict[str, Any]:
    """Every neural figure, or the reason there are none."""
    state = load_encoder(settings.reranker, threads=settings.reranker_threads)
    if state.encoder is None:
        return {"available": False, "reason": state.reason}
    interactive = NeuralStage(
        state.encoder, VectorCache(state.encoder.model_id), on_demand_limit=INTERACTIVE_LIMIT
    )
    cold_interactive = _ask_ms(knowledge, settings, interactive, questions)
    stage = NeuralStage(state.encoder, VectorCache(state.encoder.model_id))
    cold = _ask_ms(knowledge, settings, stage, questions)
    on_demand = stage.embedded_on_demand
    warm = _ask_ms(knowledge, settings, stage, questions)
    texts = list(dict.fromkeys(stage.knowledge_texts(knowledge)))
    first_texts = texts[:THROUGHPUT_TEXTS]
    sample = [
        first_texts[i] for i in by_length_in_windows(list(range(len(first_texts))), first_texts)
    ]
    started = time.perf_counter()
    for first in range(0, len(sample), BATCH):
        stage.encode(sample[first : first + BATCH])
    seconds = time.perf_counter() - started
    rate = len(sample) / seconds if seconds else 0.0
    per_passage = len(texts) / max(knowledge.passage_count, 1)
    return {
        "available": True,
        "model_load_ms": round(state.load_ms, 1),
        "questions": len(questions),
        # The bot while its background walk has not reached the candidates: at most
        # INTERACTIVE_LIMIT texts embedded per question, else a BM25-only answer.
        "ask_cold_interactive": latency_figures(cold_interactive),
        "cold_interactive_texts_embedded": interactive.embedded_on_demand,
        # A first batch run (`dateline ask --questions`, eval): every candidate embedded.
        "ask_cold_vectors": latency_figures(cold),
        "texts_embedded_on_demand": on_demand,
        "ask_warm_vectors": latency_figures(warm),
        "texts_per_second": round(rate, 1),
        "passages_per_second": round(rate / per_passage, 1),
        "texts_in_knowledge": len(texts),
        "projected_full_embedding_minutes": round(len(texts) / rate / 60, 1) if rate else None,
    }

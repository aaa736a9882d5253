"""The same queries on plain rank-bm25 and on bm25s, for same-run speed ratios.

Both get Dateline's own passage terms and question terms (same analyzer), and return the
top `k` passages. rank-bm25 is ``BM25Okapi(corpus).get_scores(q)`` plus an argpartition
top-k; bm25s is ``bm25s.BM25()`` with its defaults (Lucene BM25, numpy backend), one query
per ``retrieve`` call on one thread — as a bot answering one question at a time would.
Both are benchmark-only dependencies (the ``bench`` extra).
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import rank_bm25

from bot.errors import DatelineError
from bot.retrieval import BM25Index, BM25Params

log = logging.getLogger(__name__)


def latency_figures(milliseconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max in ms and single-thread throughput in queries per second."""
    values = np.asarray(milliseconds, dtype=np.float64)
    if not len(values):
        return {}
    return {
        "count": len(values),
        "p50_ms": round(float(np.percentile(values, 50)), 4),
        "p95_ms": round(float(np.percentile(values, 95)), 4),
        "p99_ms": round(float(np.percentile(values, 99)), 4),
        "mean_ms": round(float(values.mean()), 4),
        "max_ms": round(float(values.max()), 4),
        "qps": round(1000.0 / float(values.mean()), 1) if values.mean() > 0 else 0.0,
    }


def version_of(package: str) -> str | None:
    """An installed package's version, or None."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def rank_bm25_run(
    corpus: Sequence[Sequence[str]], queries: Sequence[list[str]], k: int
) -> dict[str, Any]:
    """Fit plain BM25Okapi and time `get_scores` + top-k; also check Dateline's exactness.

    The exactness check builds a `BM25Index` with rank-bm25's own common-term rule
    (``common_terms="rank_bm25"``) over the same terms and compares every score.
    """
    started = time.perf_counter()
    model = rank_bm25.BM25Okapi(corpus)
    fit = time.perf_counter() - started
    params = BM25Params(common_terms="rank_bm25")
    exact = BM25Index.build(corpus, params)
    timings: list[float] = []
    worst = 0.0
    for query in queries:
        started = time.perf_counter()
        scores = model.get_scores(query)
        top = np.argpartition(-scores, k)[:k] if len(scores) > k else np.arange(len(scores))
        top = top[np.lexsort((top, -scores[top]))]
        timings.append((time.perf_counter() - started) * 1000)
        worst = max(worst, float(np.max(np.abs(scores - exact.scores(query)))))
    del model, exact
    return {
        "version": version_of("rank-bm25"),
        "fit_seconds": round(fit, 3),
        "queries": len(queries),
        "latency": latency_figures(timings),
        "max_abs_score_difference": worst,
    }


def bm25s_run(
    corpus: Sequence[Sequence[str]], queries: Sequence[list[str]], k: int
) -> dict[str, Any]:
    """Index with bm25s defaults and time one `retrieve` per query."""
    try:
        import bm25s
    except ImportError as error:
        raise DatelineError("bm25s is not installed: pip install 'dateline[bench]'") from error
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index([list(terms) for terms in corpus], show_progress=False)
    indexed = time.perf_counter() - started
    known = retriever.vocab_dict
    timings: list[float] = []
    skipped = 0
    for query in queries:
        terms = [term for term in query if term in known]
        if not terms:
            skipped += 1  # bm25s cannot score a query without a known term
            continue
        started = time.perf_counter()
        retriever.retrieve([terms], k=min(k, len(corpus)), show_progress=False, n_threads=1)
        timings.append((time.perf_counter() - started) * 1000)
    del retriever
    return {
        "version": version_of("bm25s"),
        "backend": "numpy (default)",
        "index_seconds": round(indexed, 3),
        "queries": len(timings),
        "skipped_no_known_term": skipped,
        "latency": latency_figures(timings),
    }

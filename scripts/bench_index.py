"""Benchmark the analyzer and the BM25 index on the shared news articles.

Splits each article's `text` into paragraphs (blank lines or lines indented by 4 spaces),
analyzes them, builds `BM25Index`, then times `search` over queries made from article titles
and compares a few with rank-bm25's `get_scores` (which it must equal). Prints a table and,
with --json, writes the figures.

Usage: python scripts/bench_index.py [--passages 100000] [--queries 200] [--variant okapi]
                                     [--reference 5] [--json OUT] [--shared-data DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.retrieval import BM25Index, BM25Params  # noqa: E402
from bot.text import Analyzer  # noqa: E402

DEFAULT_SHARED_DATA = REPO.parent / "shared" / "data"
PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=    )")


def load(path: Path, limit: int) -> tuple[list[str], list[str]]:
    """Paragraphs (up to `limit`) and the titles of the articles they come from."""
    paragraphs: list[str] = []
    titles: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            titles.append(record.get("title") or "")
            for part in PARAGRAPH_BREAK.split(record["text"]):
                if part.strip():
                    paragraphs.append(part.strip())
            if len(paragraphs) >= limit:
                break
    return paragraphs[:limit], titles


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=DEFAULT_SHARED_DATA)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--variant", choices=["okapi", "plus", "l"], default="okapi")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--reference", type=int, default=5, help="queries run on rank-bm25")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    articles = args.shared_data / "news" / "articles.jsonl"
    if not articles.exists():
        print(f"no shared data at {articles}; nothing to measure")
        return 1
    figures: dict[str, float | int | str] = {"variant": args.variant}
    paragraphs, titles = load(articles, args.passages)
    words = sum(len(p.split()) for p in paragraphs)
    figures |= {"passages": len(paragraphs), "words": words}

    analyzer = Analyzer("english")
    started = time.perf_counter()
    corpus = [analyzer.terms(p) for p in paragraphs]
    analyze_s = time.perf_counter() - started
    figures |= {"analyze_s": analyze_s, "analyze_words_per_s": words / analyze_s}

    params = BM25Params(variant=args.variant)
    started = time.perf_counter()
    index = BM25Index.build(corpus, params)
    figures["build_s"] = time.perf_counter() - started
    arrays, _ = index.to_arrays()
    figures["index_mb"] = sum(a.nbytes for a in arrays.values()) / 1e6
    figures["vocabulary"] = index.vocabulary_size

    rng = random.Random(7)
    queries = [analyzer.terms(t) for t in rng.sample(titles, min(len(titles), 4 * args.queries))]
    queries = [q for q in queries if q][: args.queries]
    latencies = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, args.k)
        latencies.append((time.perf_counter() - started) * 1000)
    figures |= {
        "queries": len(queries),
        "mean_query_terms": sum(map(len, queries)) / len(queries),
        "search_p50_ms": percentile(latencies, 50),
        "search_p99_ms": percentile(latencies, 99),
        "search_max_ms": max(latencies),
    }

    if args.reference:
        started = time.perf_counter()
        model = params.rank_bm25_model(corpus)
        figures["rank_bm25_fit_s"] = time.perf_counter() - started
        reference_ms = []
        worst = 0.0
        for query in queries[: args.reference]:
            started = time.perf_counter()
            expected = model.get_scores(query)
            reference_ms.append((time.perf_counter() - started) * 1000)
            worst = max(worst, float(np.max(np.abs(expected - index.scores(query)))))
        figures |= {
            "rank_bm25_get_scores_ms": sum(reference_ms) / len(reference_ms),
            "max_abs_difference": worst,
        }

    width = max(map(len, figures))
    for name, value in figures.items():
        if isinstance(value, float):
            shown = f"{value:,.3f}" if value >= 1e-3 or value == 0 else f"{value:.2e}"
        else:
            shown = f"{value:,}" if isinstance(value, int) else value
        print(f"{name:<{width}}  {shown}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

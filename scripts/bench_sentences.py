"""Time sentence splitting over a JSONL corpus's `text` fields (a benchmark, not a test).

Usage: python scripts/bench_sentences.py [PATH] [--limit N] [--repeat R]
(default PATH: ../shared/data/news/articles.jsonl). Prints one line: MB of UTF-8 text, the
sentences found, and the throughput of the best of R runs.
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import islice
from pathlib import Path

from bot.text import sentence_spans

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "news" / "articles.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best one is reported")
    args = parser.parse_args()
    with args.path.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in islice(lines, args.limit)]
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    best = float("inf")
    count = 0
    for _ in range(max(1, args.repeat)):
        started = time.perf_counter()
        count = sum(len(sentence_spans(text)) for text in texts)
        best = min(best, time.perf_counter() - started)
    print(
        f"{len(texts)} texts, {megabytes:.1f} MB, {count} sentences: "
        f"{best:.2f} s, {megabytes / best:.1f} MB/s (best of {args.repeat})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

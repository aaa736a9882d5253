"""Time loading a corpus into Dateline: parse files, find datelines, cut passages, build the index.

Usage: python scripts/bench_load.py [PATH ...]   (default: ../shared/data/news/articles.jsonl)
Prints one table; `--json` prints JSON instead. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.knowledge import assemble, load_articles, split_all
from bot.settings import load_settings

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "news" / "articles.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    started = time.perf_counter()
    report = load_articles(args.paths, settings.max_file_bytes)
    loaded = time.perf_counter()
    passages = split_all(report.articles, settings.passage_words)
    split = time.perf_counter()
    knowledge = assemble(report, settings)
    built = time.perf_counter()
    figures = {
        "articles": len(report.articles),
        "problems": len(report.problems),
        "datelines": sum(article.dateline is not None for article in report.articles),
        "passages": len(passages),
        "load_seconds": round(loaded - started, 2),
        "passages_seconds": round(split - loaded, 2),
        "load_and_passages_seconds": round(split - started, 2),
        "full_build_seconds (load + passages + analysis + index)": round(
            built - split + (split - started), 2
        ),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    assert knowledge.passage_count == len(passages)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    table = Table(title=f"Loading {', '.join(str(p) for p in args.paths)}", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:,}" if isinstance(value, int) else str(value))
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

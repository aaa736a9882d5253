"""`dateline bench` on a tiny corpus: every figure is produced and the baselines agree.

The real figures come from `dateline bench --size 100k|1m` (docs/scale.md); this only
checks that the benchmark runs end to end and reports what it promises.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from bot.frontends.cli.render import render_bench
from bot.tooling.bench import TAG_AFTER_WORDS, load_questions, vary, write_corpus
from bot.tooling.bench.run import BenchOptions, run_bench

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "news" / "articles.jsonl").is_file(),
    reason=f"shared data not found at {SHARED_DATA} (only present on the team's machines)",
)


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pytest.importorskip("bm25s")
    options = BenchOptions(
        size="tiny",
        shared_data=SHARED_DATA,
        workdir=tmp_path_factory.mktemp("bench"),
        questions=60,
        rank_bm25_sample=8,
        tiny_articles=120,
    )
    return run_bench(options)


def test_every_figure_is_reported(figures: dict[str, Any]) -> None:
    assert figures["machine"]["logical_cores"] >= 1 and figures["machine"]["cpu"]
    assert figures["corpus"]["articles"] == 120 and figures["corpus"]["passages"] > 120
    assert figures["build"]["seconds"] > 0 and figures["build"]["snapshot_mb"] > 0
    cold = figures["cold_start"]
    assert cold["mode"] == "snapshot" and cold["passages"] == figures["corpus"]["passages"]
    for name in ("retrieval", "search_only", "ask"):
        latency = figures["latency"][name]
        assert latency["count"] == 60
        assert 0 < latency["p50_ms"] <= latency["p95_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    reloads = figures["reloads"]
    assert set(reloads) == {"idle", "incremental", "adopt", "full_rebuild"}
    assert reloads["incremental"]["mode"] == "incremental" and reloads["incremental"]["ok"]
    assert reloads["incremental"]["files_parsed"] == 1
    assert all(values["ticks"] > 0 for values in reloads.values())
    assert figures["peak_rss_mb"]["dateline"] > 0
    assert len(figures["floors"]) == 7 and all(isinstance(f["ok"], bool) for f in figures["floors"])
    json.dumps(figures)  # the --json output


def test_baselines_run_on_the_same_terms(figures: dict[str, Any]) -> None:
    comparison = figures["comparison"]
    assert comparison["rank_bm25"]["max_abs_score_difference"] < 1e-9  # exact, same run
    assert comparison["rank_bm25"]["queries"] == 8
    assert comparison["bm25s"]["queries"] == comparison["questions_with_a_known_term"]
    assert comparison["ratio_vs_bm25s_mean"] > 0 and comparison["speedup_vs_rank_bm25"] > 0


def test_table_renders(figures: dict[str, Any]) -> None:
    console = Console(record=True, width=120)
    render_bench(console, figures)
    text = console.export_text()
    assert "Floors (issue 5)" in text and "bm25s" in text and "cold start" in text


def test_repetitions_vary_words_but_keep_datelines(tmp_path: Path) -> None:
    corpus = write_corpus(SHARED_DATA, tmp_path, repetitions=2, limit=3)
    assert corpus.articles == 6 and len(corpus.files) == 2
    first, second = (
        [json.loads(line) for line in path.read_text().splitlines()] for path in corpus.files
    )
    assert [r["id"] + "~r1" for r in first] == [r["id"] for r in second]
    for original, varied in zip(first, second, strict=True):
        words, tagged = original["text"].split(), varied["text"].split()
        assert words[:TAG_AFTER_WORDS] == tagged[:TAG_AFTER_WORDS]
        assert varied["text"] != original["text"] and "_1" in varied["text"]
    assert vary("alpha beta", 0) == "alpha beta"


def test_questions_mix_the_shared_sets_and_headlines() -> None:
    questions = load_questions(SHARED_DATA, 1000)
    assert len(questions) == 1000 and len(set(questions)) > 900
    assert questions == load_questions(SHARED_DATA, 1000)  # deterministic

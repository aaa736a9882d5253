"""`dateline bench`: build, snapshot, cold start, retrieval, ask and reload figures at scale.

One run measures, on one corpus (see `bot.tooling.bench.corpus`) and one set of 1,000 questions:

* build: load + passages + analysis + index + snapshot save, from nothing;
* cold start: a new process that loads the published snapshot and answers one question
  (wall time from spawn to exit, and that process's peak RSS);
* retrieval (analyze the question + `BM25Index.search`, k=10) and full `ask`
  (`answer_question`: retrieval, quote choice, re-ranking) latencies, single thread;
* a reload after editing one file (only that file is re-parsed) and the event loop's longest
  stall while reloads run in the worker thread (`bot.tooling.bench.stall`);
* in the same run, on the same passage terms and question terms: plain rank-bm25 and bm25s
  (`bot.tooling.bench.baselines`), after Dateline's own peak RSS has been recorded.

Figures come back as one JSON-able dict with the floors of issue 5 checked; the CLI renders
it. Core module: no terminal output here (progress goes to the `say` callback).
"""

from __future__ import annotations

import cProfile
import json
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.answers import answer_question
from bot.errors import DatelineError
from bot.knowledge import KnowledgeBase
from bot.serving import KnowledgeService
from bot.settings import Settings, load_settings
from bot.snapshot import SnapshotBuilder, read_manifest, read_version, snapshot_bytes, snapshot_home
from bot.tooling.bench.baselines import bm25s_run, latency_figures, rank_bm25_run
from bot.tooling.bench.corpus import Corpus, iter_sample, load_questions, news_path, write_corpus
from bot.tooling.bench.neural import neural_figures
from bot.tooling.bench.stall import idle_stall, stall_during

SIZES: dict[str, int] = {"tiny": 1, "100k": 1, "1m": 10}  # repetitions of the news corpus
K = 10
Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """What to run. `baselines`/`stall_rebuild` default by size (off for 1m: memory)."""

    size: str = "100k"
    shared_data: Path = Path(__file__).resolve().parents[4] / "shared" / "data"
    workdir: Path | None = None
    keep: bool = False
    questions: int = 1_000
    passage_words: int = 60
    rank_bm25_sample: int = 100
    baselines: bool | None = None
    stall_rebuild: bool | None = None
    tiny_articles: int = 300
    neural_questions: int = 200  # 0: skip the neural stage's figures
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def with_baselines(self) -> bool:
        return self.baselines if self.baselines is not None else self.size != "1m"

    @property
    def with_rebuild_stall(self) -> bool:
        return self.stall_rebuild if self.stall_rebuild is not None else self.size != "1m"


def peak_rss_mb() -> float:
    """This process's peak resident set size so far."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, load and versions: the context every figure needs."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cpu": model,
        "logical_cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(terse=True),
    }
    try:
        import psutil

        info["physical_cores"] = psutil.cpu_count(logical=False)
        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    return info


def _timed(values: list[float], started: float) -> None:
    values.append((time.perf_counter() - started) * 1000)


def _answer(knowledge: KnowledgeBase, settings: Settings, question: str) -> None:
    answer_question(
        knowledge,
        question,
        alternatives=settings.alternatives,
        max_question_chars=settings.max_question_chars,
        quote_max_chars=settings.quote_max_chars,
        abstain_threshold=settings.abstain_threshold,
        semantic=settings.semantic_similarity,
    )


def freeze_code(workdir: Path) -> Path:
    """A copy of the `bot` package as this process loaded it, for the cold-start process.

    (The working tree may be edited while a long benchmark runs; a child running other code
    would rightly refuse the snapshot and rebuild, which is not what is being measured.)
    """
    code = workdir / "code"
    shutil.copytree(
        Path(__file__).resolve().parents[2],
        code / "bot",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return code


def cold_start(settings: Settings, question: str, code: Path) -> dict[str, Any]:
    """Spawn a process that loads the snapshot and answers `question`; time it end to end."""
    overrides = {
        "knowledge_paths": [p.as_posix() for p in settings.knowledge_paths],
        "cache_dir": settings.cache_dir.as_posix(),
        "passage_words": settings.passage_words,
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.tooling.bench.cold", json.dumps(overrides), question],
        capture_output=True,
        text=True,
        check=False,
        cwd=code,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise DatelineError(f"cold-start process failed: {done.stderr.strip()[-500:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = round(wall, 3)
    return figures


def _latencies(
    knowledge: KnowledgeBase, settings: Settings, questions: Sequence[str]
) -> tuple[dict[str, Any], list[list[str]], np.ndarray[Any, Any]]:
    analyzer, index = knowledge.analyzer, knowledge.index
    for question in questions:  # warm-up: the analyzer memo, caches, lazy imports
        index.search(analyzer.terms(question), K)
    retrieval: list[float] = []
    search: list[float] = []
    ask: list[float] = []
    terms_list: list[list[str]] = []
    for question in questions:
        started = time.perf_counter()
        terms = analyzer.terms(question)
        index.search(terms, K)
        _timed(retrieval, started)
        terms_list.append(terms)
        started = time.perf_counter()
        index.search(terms, K)
        _timed(search, started)
    for question in questions:
        started = time.perf_counter()
        _answer(knowledge, settings, question)
        _timed(ask, started)
    figures = {
        "retrieval": latency_figures(retrieval),
        "search_only": latency_figures(search),
        "ask": latency_figures(ask),
        "mean_question_terms": round(float(np.mean([len(t) for t in terms_list])), 2),
    }
    return figures, terms_list, np.asarray(search)


def ask_profile(
    knowledge: KnowledgeBase, settings: Settings, questions: Sequence[str]
) -> list[dict[str, Any]]:
    """Where `ask` spends its time: the top functions by own time over `questions`."""
    profiler = cProfile.Profile()
    profiler.enable()
    for question in questions:
        _answer(knowledge, settings, question)
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_, calls, own, total, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{Path(filename).name}:{line}({name})",
                "calls": calls,
                "own_ms_per_ask": round(own * 1000 / len(questions), 3),
                "total_ms_per_ask": round(total * 1000 / len(questions), 3),
            }
        )
    rows.sort(key=lambda row: -row["own_ms_per_ask"])
    return rows[:12]


def _edit_one_file(corpus: Corpus, number: int) -> None:
    record = {
        "id": f"bench-edit-{number}",
        "title": f"Benchmark edit {number}",
        "text": f"LONDON, May {number + 1} (Reuters) - The benchmark added article {number} "
        "to one file to time a reload that re-parses only that file.",
    }
    with corpus.files[0].open("a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


def _reloads(
    knowledge: KnowledgeBase,
    builder: SnapshotBuilder,
    settings: Settings,
    corpus: Corpus,
    options: BenchOptions,
    say: Say,
) -> dict[str, Any]:
    """Incremental reload, adoption and a full rebuild, each with the event loop's stall.

    `builder` built `knowledge`, so the incremental reload reuses it from memory as a
    running bot would. Adoption and the full rebuild each make a second knowledge base
    (the old one keeps serving meanwhile); they are skipped at 1m unless asked for.
    """
    figures: dict[str, Any] = {"idle": idle_stall(1.0).to_json()}
    builder.rebuild = False
    service = KnowledgeService(settings, builder=builder)
    service.install(knowledge)
    _edit_one_file(corpus, 1)
    say("reload after editing one file (worker thread) ...")
    stall = stall_during(service.reload_async)
    stats = builder.last_stats
    report = service.last_reload
    figures["incremental"] = {
        **stall.to_json(),
        "mode": stats.mode if stats else None,
        "files_parsed": stats.files_parsed if stats else None,
        "files": stats.files if stats else None,
        "passages_analyzed": stats.passages_analyzed if stats else None,
        "save_seconds": round(stats.save_seconds, 3) if stats else None,
        "ok": bool(report and report.ok),
    }
    if not options.with_rebuild_stall:
        return figures
    say("adopt the published snapshot (worker thread) ...")
    other = KnowledgeService(settings, builder=SnapshotBuilder())
    other.install(knowledge)
    stall = stall_during(other.adopt_snapshot_async)
    figures["adopt"] = {**stall.to_json(), "ok": bool(other.last_reload and other.last_reload.ok)}
    del other
    say("full rebuild from the articles (worker thread) ...")
    full = KnowledgeService(settings, builder=SnapshotBuilder(rebuild=True))
    full.install(service.knowledge)
    stall = stall_during(full.reload_async)
    figures["full_rebuild"] = {
        **stall.to_json(),
        "ok": bool(full.last_reload and full.last_reload.ok),
    }
    return figures


def _floors(size: str, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 5's floors; "tiny" is checked against the 100k floors (for the table only)."""

    def floor(name: str, value: float | None, limit: float, at_most: bool = True) -> dict[str, Any]:
        ok = value is not None and (value <= limit if at_most else value >= limit)
        return {"floor": name, "value": value, "limit": limit, "at_most": at_most, "ok": ok}

    retrieval = figures["latency"]["retrieval"]
    cold = figures["cold_start"]
    cold_seconds = cold["process_seconds"] if cold.get("mode") == "snapshot" else None
    if size == "1m":
        return [
            floor("retrieval p95 ms", retrieval["p95_ms"], 20.0),
            floor("cold start from snapshot s", cold_seconds, 15.0),
            floor(
                "peak RSS GB (bench process, Dateline phases)",
                round(figures["peak_rss_mb"]["dateline"] / 1024, 2),
                4.0,
            ),
            floor(
                "peak RSS GB (serving process)",
                round(figures["cold_start"]["peak_rss_mb"] / 1024, 2),
                4.0,
            ),
        ]
    comparison = figures.get("comparison", {})
    stalls = [v["max_ms"] for k, v in figures["reloads"].items() if k != "idle"]
    return [
        floor("retrieval p50 ms", retrieval["p50_ms"], 1.0),
        floor("retrieval p99 ms", retrieval["p99_ms"], 10.0),
        floor(
            "speed-up vs rank-bm25 (x)",
            comparison.get("speedup_vs_rank_bm25"),
            100.0,
            at_most=False,
        ),
        floor("time ratio vs bm25s (mean)", comparison.get("ratio_vs_bm25s_mean"), 1.0),
        floor("full ask p95 ms", figures["latency"]["ask"]["p95_ms"], 5.0),
        floor("cold start from snapshot s", cold_seconds, 2.0),
        floor("longest event-loop stall during reload ms", max(stalls) if stalls else None, 50.0),
    ]


def run_bench(options: BenchOptions, say: Say = lambda line: None) -> dict[str, Any]:
    """Run every measurement for one corpus size; see the module docstring."""
    if options.size not in SIZES:
        raise DatelineError(f"unknown size {options.size!r}; choose one of {sorted(SIZES)}")
    if not news_path(options.shared_data).is_file():
        raise DatelineError(f"no shared news data at {news_path(options.shared_data)}")
    figures: dict[str, Any] = {"size": options.size, "machine": machine()}
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="dateline-bench-"))
    limit = options.tiny_articles if options.size == "tiny" else None
    try:
        code = freeze_code(workdir)
        say(f"writing the corpus into {workdir} ...")
        corpus = write_corpus(options.shared_data, workdir / "corpus", SIZES[options.size], limit)
        settings = load_settings(
            knowledge_paths=[corpus.folder],
            cache_dir=workdir / "cache",
            passage_words=options.passage_words,
            **options.extra,
        )
        questions = load_questions(options.shared_data, options.questions, limit)
        say(f"building the knowledge base from {corpus.articles:,} articles ...")
        builder = SnapshotBuilder(rebuild=True)
        started = time.perf_counter()
        knowledge = builder(settings)
        build_seconds = time.perf_counter() - started
        stats = builder.last_stats
        home = snapshot_home(settings, settings.knowledge_paths)
        pointer = read_version(home)
        size_bytes = snapshot_bytes(home, read_manifest(home, pointer)) if pointer else 0
        arrays, _ = knowledge.index.to_arrays()
        figures["corpus"] = {
            "articles": knowledge.article_count,
            "passages": knowledge.passage_count,
            "files": len(corpus.files),
            "bytes": corpus.bytes,
            "repetitions": corpus.repetitions,
            "passage_words": settings.passage_words,
            "vocabulary": knowledge.index.vocabulary_size,
            "postings": len(arrays["doc_ids"]),
            "index_mb": round(sum(a.nbytes for a in arrays.values()) / 1e6, 1),
            "questions": len(questions),
        }
        del arrays
        figures["build"] = {
            "seconds": round(build_seconds, 3),
            "save_seconds": round(stats.save_seconds, 3) if stats else None,
            "snapshot_mb": round(size_bytes / 1e6, 1),
            "peak_rss_mb": peak_rss_mb(),
        }
        say("cold start in a new process ...")
        figures["cold_start"] = cold_start(settings, questions[0], code)
        say(f"timing {len(questions):,} questions ...")
        latency, terms_list, search_ms = _latencies(knowledge, settings, questions)
        figures["latency"] = latency
        if latency["ask"]["p95_ms"] > 5.0 or options.size == "tiny":
            figures["ask_profile"] = ask_profile(knowledge, settings, questions[:200])
        if options.neural_questions:
            say(f"the neural stage on {options.neural_questions:,} questions ...")
            figures["neural"] = neural_figures(
                knowledge, settings, questions[: options.neural_questions]
            )
            figures["peak_rss_mb_with_model"] = peak_rss_mb()
        figures["reloads"] = _reloads(knowledge, builder, settings, corpus, options, say)
        figures["peak_rss_mb"] = {"dateline": peak_rss_mb()}
        if options.with_baselines:
            figures["comparison"] = _compare(knowledge, terms_list, search_ms, options, say)
            figures["peak_rss_mb"]["with_baselines"] = peak_rss_mb()
        figures["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        figures["floors"] = _floors(options.size, figures)
        return figures
    finally:
        if not options.keep and options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _compare(
    knowledge: KnowledgeBase,
    terms_list: list[list[str]],
    search_ms: np.ndarray[Any, Any],
    options: BenchOptions,
    say: Say,
) -> dict[str, Any]:
    """rank-bm25 and bm25s on the passages' terms and the questions with a known term."""
    index = knowledge.index
    usable = [i for i, terms in enumerate(terms_list) if any(map(index.has_term, terms))]
    say("re-analyzing the passages for the baselines ...")
    corpus = [knowledge.analyzer.terms(passage.text) for passage in knowledge.passages]
    queries = [terms_list[i] for i in usable]
    ours = search_ms[usable]
    say(f"bm25s on {len(queries):,} questions ...")
    result: dict[str, Any] = {"questions_with_a_known_term": len(queries)}
    result["dateline_search"] = latency_figures(ours.tolist())
    result["bm25s"] = bm25s_run(corpus, queries, K)
    sample = list(iter_sample([str(i) for i in range(len(queries))], options.rank_bm25_sample))
    picked = [int(i) for i in sample]
    say(f"rank-bm25 on a sample of {len(picked)} questions ...")
    result["rank_bm25"] = rank_bm25_run(corpus, [queries[i] for i in picked], K)
    result["dateline_search_on_rank_bm25_sample"] = latency_figures(ours[picked].tolist())
    bm25s_mean = result["bm25s"]["latency"]["mean_ms"]
    bm25s_p50 = result["bm25s"]["latency"]["p50_ms"]
    rank_mean = result["rank_bm25"]["latency"]["mean_ms"]
    result["ratio_vs_bm25s_mean"] = round(float(ours.mean()) / bm25s_mean, 3)
    result["ratio_vs_bm25s_p50"] = round(float(np.percentile(ours, 50)) / bm25s_p50, 3)
    result["speedup_vs_rank_bm25"] = round(rank_mean / float(ours[picked].mean()), 1)
    return result


def _main() -> int:  # pragma: no cover - manual entry without the CLI
    result = run_bench(BenchOptions(size=sys.argv[1] if len(sys.argv) > 1 else "tiny"))
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())

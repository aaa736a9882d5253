"""The sub-commands of `dateline`: each turns arguments into service calls and renders."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bot.answers import AnswerStatus
from bot.errors import DatelineError, KnowledgePathError, ReloadInProgressError
from bot.frontends.cli.json_output import answer_json, knowledge_json
from bot.frontends.cli.render import build_progress, render_answer, render_knowledge
from bot.knowledge import KnowledgeBase, build_knowledge_base
from bot.records import Stats, Store, describe_since
from bot.serving import Builder, KnowledgeService
from bot.serving.reload_guard import check_reload, missing_knowledge_paths
from bot.settings import Settings
from bot.snapshot import snapshot_builder

# One scheme for every sub-command (README, "Exit codes"): 0 answered or honestly not found,
# 1 a runtime failure, 2 a usage or input error.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

# Load problems named on stderr by every command that loads the knowledge (file: reason).
SHOWN_PROBLEMS = 5

CHAT_HELP = """Type a question and press Enter.
  :reload   reload the knowledge base from disk
  :reload!  reload even if most articles would go (a confirmed reload)
  :sources  list the articles
  :help     show this help
  :quit     leave (Ctrl-D works too)"""


def _stderr() -> Console:
    return Console(stderr=True)


def _load(
    settings: Settings, paths: list[Path] | None = None, builder: Builder | None = None
) -> KnowledgeBase:
    """Build with a progress bar; the configured paths go through the snapshot (if enabled)."""
    errors = _stderr()
    started = time.perf_counter()
    build = builder or (snapshot_builder(settings) if paths is None else None)
    chosen = paths or list(settings.knowledge_paths)
    missing = missing_knowledge_paths(chosen)
    if missing:
        raise KnowledgePathError(
            f"the knowledge path {', '.join(missing)} does not exist (a typo in -K or "
            "DATELINE_KNOWLEDGE_PATHS, a renamed folder, an unmounted volume?)"
        )
    with build_progress(errors) as progress:
        knowledge = (build or build_knowledge_base)(settings, paths, progress)
    log_line = (
        f"{knowledge.article_count:,} articles, {knowledge.passage_count:,} passages, "
        f"{len(knowledge.report.problems)} problems in {time.perf_counter() - started:.2f} s"
    )
    errors.print(f"[dim]{escape(log_line)}[/dim]")
    problems = knowledge.report.problems
    for problem in problems[:SHOWN_PROBLEMS]:
        errors.print(f"[yellow]{escape(str(problem))}[/yellow]", highlight=False, soft_wrap=True)
    if len(problems) > SHOWN_PROBLEMS:
        errors.print(
            f"[yellow]… and {len(problems) - SHOWN_PROBLEMS:,} more (`dateline check` lists "
            "them all)[/yellow]"
        )
    if knowledge.article_count == 0:
        raise KnowledgePathError(
            f"no article loaded from {', '.join(path.as_posix() for path in chosen)}"
            + (" (the problems above say why)" if knowledge.report.problems else "")
        )
    return knowledge


def check_command(args: argparse.Namespace, settings: Settings) -> int:
    """`dateline check`: load and show the knowledge base; exit 1 if a file failed."""
    knowledge = _load(settings, list(args.paths) or None)
    if args.json:
        json.dump(knowledge_json(knowledge), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        console = Console()
        render_knowledge(console, knowledge)
        service = KnowledgeService(settings)
        service.install(knowledge)
        console.print(escape(service.reranker_summary()), style="dim", highlight=False)
    return EXIT_USAGE if knowledge.report.failed else EXIT_OK


def _service(settings: Settings) -> KnowledgeService:
    service = KnowledgeService(settings)
    service.install(_load(settings, builder=service.builder))
    return service


def ask_command(args: argparse.Namespace, settings: Settings) -> int:
    """`dateline ask`: one question, or a JSONL file of them in batch mode."""
    if args.questions is not None:
        return _ask_batch(args, settings)
    if not args.question:
        _stderr().print(
            "[red]dateline ask:[/red] give a question in quotes, or --questions FILE.jsonl"
        )
        return EXIT_USAGE
    service = _service(settings)
    answer = service.ask(args.question, args.alternatives)
    service.save_vectors()
    if args.json:
        json.dump(answer_json(answer), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        render_answer(Console(), answer)
    return EXIT_USAGE if answer.status is AnswerStatus.INVALID_QUESTION else EXIT_OK


def _ask_batch(args: argparse.Namespace, settings: Settings) -> int:
    errors = _stderr()
    try:
        lines = args.questions.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DatelineError(f"cannot read {args.questions}: {error.strerror or error}") from None
    service = _service(settings)
    status = EXIT_OK
    total = sum(1 for line in lines if line.strip())
    done = 0
    started = time.perf_counter()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = _question_record(line)
        if record is None:
            errors.print(
                f'[yellow]line {number}: not a JSON object with a "question"; skipped[/yellow]'
            )
            status = EXIT_USAGE
            continue
        answer = service.ask(str(record.get("question", "")), args.alternatives)
        sys.stdout.write(
            json.dumps(answer_json(answer, record.get("id")), ensure_ascii=False) + "\n"
        )
        done += 1
        if done % 100 == 0 or done == total:
            errors.print(
                f"[dim]{done:,}/{total:,} answered, {time.perf_counter() - started:.1f} s[/dim]"
            )
    sys.stdout.flush()
    service.save_vectors()
    return status


def _question_record(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("question"), str):
        return None
    return record


def _read_line(prompt: str) -> str:
    return input(prompt)


def chat_command(args: argparse.Namespace, settings: Settings) -> int:
    """`dateline chat`: an interactive loop with line editing and history (readline)."""
    history = _chat_history(settings.cache_dir / "chat-history")
    console = Console()
    service = KnowledgeService(settings)
    report = service.reload()
    console.print(f"[dim]{escape(report.summary())}[/dim]")
    console.print(CHAT_HELP, style="dim", highlight=False)
    if settings.reranker_background:
        service.start_background_embedding()
    try:
        return _chat_loop(console, service, args)
    finally:
        history()
        if service.embedder is not None:
            service.embedder.stop()
        service.save_vectors()


def _chat_history(path: Path) -> Callable[[], None]:
    """Line editing and a persistent history via readline; returns the saver to call at exit."""
    try:
        import readline
    except ImportError:  # not on every platform: plain input() still works
        return lambda: None
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)

    return save


def _chat_loop(console: Console, service: KnowledgeService, args: argparse.Namespace) -> int:
    while True:
        try:
            line = _read_line("dateline> ").strip()
        except EOFError:
            console.print()
            return EXIT_OK
        if not line:
            continue
        if line in (":quit", ":q", ":exit"):
            return EXIT_OK
        if line == ":help":
            console.print(CHAT_HELP, highlight=False)
        elif line in (":reload", ":reload!"):
            try:
                console.print(escape(service.reload(force=line == ":reload!").summary()))
            except ReloadInProgressError as error:
                console.print(f"[yellow]{escape(str(error))}[/yellow]")
        elif line == ":sources":
            render_knowledge(console, service.knowledge)
        elif line.startswith(":"):
            console.print(f"[yellow]unknown command {escape(line)}; :help lists them[/yellow]")
        else:
            render_answer(console, service.ask(line, args.alternatives))


def eval_command(args: argparse.Namespace, settings: Settings) -> int:
    """`dateline eval DIR`: answer quality on a question set."""
    from bot.tooling.evaluation import render_evaluation, run_evaluation, save_plot

    modes = {"settings": [settings.reranker], "on": [True], "off": [False], "both": [False, True]}
    results = {}
    for neural in modes[args.reranker]:
        label = "neural" if neural else "bm25"

        def report(line: str, label: str = label) -> None:
            _stderr().print(f"[dim]{label}: {escape(line)}[/dim]")

        results[label] = run_evaluation(
            args.folder,
            settings.model_copy(update={"reranker": neural}),
            limit=args.limit,
            unanswerable=not args.no_unanswerable,
            progress=report,
        )
    if args.json:
        data = (
            next(iter(results.values())).to_dict()
            if len(results) == 1
            else {label: result.to_dict() for label, result in results.items()}
        )
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for label, result in results.items():
            if len(results) > 1:
                Console().rule(f"reranker: {label}")
            render_evaluation(Console(), result)
    if args.plot is not None:
        last = next(reversed(results.values()))
        save_plot(last, args.plot)
        _stderr().print(f"[dim]plot written to {escape(str(args.plot))}[/dim]")
    return EXIT_OK


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """`dateline run`: start the Discord bot."""
    from bot.frontends.discord.launcher import run_bot

    return run_bot(settings)


# --------------------------------------------------------------------------- stats


def _printable(text: str) -> Text:
    """Stored questions come from strangers: no terminal escapes, bidi tricks or markup."""
    cleaned = "".join(
        "\ufffd" if unicodedata.category(char) in ("Cc", "Cf") else char
        for char in " ".join(text.split())
    )
    return Text(cleaned)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def render_stats(console: Console, stats: Stats, title: str) -> None:
    """Summary, top unanswered questions and most-quoted articles as rich tables."""
    summary = Table(title=title, show_header=False, title_justify="left")
    summary.add_column(style="bold")
    summary.add_column(justify="right")
    summary.add_row("Questions asked", f"{stats.questions_asked:,}")
    summary.add_row("Answered", f"{stats.questions_answered:,} ({_percent(stats.answer_rate)})")
    summary.add_row(
        "Feedback (up / down)",
        f"{stats.feedback_up:,} / {stats.feedback_down:,} "
        f"({_percent(stats.feedback_ratio)} helpful)",
    )
    console.print(summary)
    unanswered = Table(title="Most frequent unanswered questions", title_justify="left")
    unanswered.add_column("times", justify="right")
    unanswered.add_column("question (normalised)")
    for question in stats.top_unanswered:
        unanswered.add_row(f"{question.count:,}", _printable(question.text))
    quoted = Table(title="Most-quoted articles", title_justify="left")
    quoted.add_column("times", justify="right")
    quoted.add_column("article")
    for article in stats.top_articles:
        quoted.add_row(f"{article.count:,}", _printable(article.article_id))
    for table, empty in ((unanswered, "no unanswered questions"), (quoted, "no answers yet")):
        if table.row_count:
            console.print(table)
        else:
            console.print(f"[dim]{table.title}: {empty}[/dim]")


def stats_command(args: argparse.Namespace, settings: Settings) -> int:
    """`dateline stats`: usage figures from the database (read-only unless --prune)."""
    path: Path = args.database if args.database is not None else settings.database_path
    if not path.is_file():
        _stderr().print(
            f"[yellow]No database at {escape(str(path))} yet.[/yellow] Dateline creates it "
            "when the Discord bot records its first question; DATELINE_DATABASE_PATH says "
            "where it lives."
        )
        return EXIT_FAILURE
    pruned: int | None = None
    if args.prune:
        with Store.open(path) as store:
            pruned = store.prune(settings.retention_days)
        _stderr().print(
            f"pruned {pruned:,} rows older than {settings.retention_days} days "
            "(DATELINE_RETENTION_DAYS)"
        )
    with Store.open(path, read_only=True) as store:
        stats = store.stats(args.since, None, max(args.top, 0), guild_id=args.guild)
    if args.json:
        data = {"database": str(path), "guild_id": args.guild, **stats.to_dict()}
        if pruned is not None:
            data["pruned"] = pruned
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        where = f", server {args.guild}" if args.guild is not None else ""
        render_stats(Console(), stats, f"Dateline usage, {describe_since(args.since)}{where}")
    return EXIT_OK


def index_command(args: argparse.Namespace, settings: Settings) -> int:
    """`dateline index build|status`: publish the snapshot, or say whether it is current."""
    from bot.frontends.cli.render import render_index
    from bot.snapshot import SnapshotBuilder, published_articles_per_file, snapshot_status

    if args.index_action == "status":
        status = snapshot_status(settings)
        if args.json:
            json.dump(status, sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            render_index(Console(), status)
        return EXIT_OK if status.get("current") else EXIT_FAILURE
    if not args.allow_shrink:
        refusal = check_reload(
            list(settings.knowledge_paths),
            published_articles_per_file(settings),
            settings.reload_max_removed_share,
        )
        if refusal is not None:
            raise KnowledgePathError(
                f"not published: {refusal.reason}; the published snapshot still serves "
                "(--allow-shrink publishes anyway)"
            )
    builder = SnapshotBuilder(rebuild=args.full)
    knowledge = _load(settings, builder=builder)
    status = snapshot_status(settings, builder.last_stats)
    if args.json:
        json.dump(status, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render_index(Console(), status)
    if knowledge.snapshot_id is None:
        return EXIT_FAILURE
    return EXIT_FAILURE if knowledge.report.failed else EXIT_OK


def bench_command(args: argparse.Namespace, settings: Settings) -> int:
    """`dateline bench`: the scale benchmark (a benchmark, not a test)."""
    from bot.frontends.cli.render import render_bench
    from bot.tooling.bench.run import BenchOptions, run_bench

    options = BenchOptions(
        size=args.size,
        questions=args.questions,
        rank_bm25_sample=args.rank_bm25_sample,
        neural_questions=args.neural_questions,
        baselines=args.baselines,
        stall_rebuild=args.rebuild_stall,
        workdir=args.workdir,
        **({"shared_data": args.shared_data} if args.shared_data is not None else {}),
    )
    errors = _stderr()
    figures = run_bench(options, say=lambda line: errors.print(f"[dim]{escape(line)}[/dim]"))
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render_bench(Console(), figures)
    missed = any(not floor["ok"] for floor in figures["floors"])
    return EXIT_FAILURE if missed and args.size != "tiny" else EXIT_OK

"""Terminal rendering with rich: answer panels, knowledge tables, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from bot.answers import Answer, AnswerStatus, Finding, confidence_label
from bot.answers.neural import INTERACTIVE_LIMIT
from bot.knowledge import KnowledgeBase, LoadProblem, ProgressCallback, collapse_whitespace

_PROGRESS_MIN_ITEMS = 2000


def quote_text(finding: Finding) -> Text:
    """The quote with the matched words in bold yellow."""
    quote = finding.quote
    text = Text(f"“{quote.text}”")
    for start, end in quote.highlights:
        text.stylize("bold yellow", start + 1, end + 1)
    return text


def source_line(finding: Finding) -> Text:
    """Dateline, title and source of the finding's article."""
    article = finding.article
    line = Text()
    if article.dateline is not None:
        line.append(article.dateline.display, style="bold cyan")
        line.append(" · ")
    line.append(article.title, style="bold")
    details = [part for part in (article.source, article.published) if part]
    if details:
        line.append(f" · {' · '.join(details)}", style="dim")
    if article.url:
        line.append(f"\n{article.url}", style="blue underline")
    return line


def render_answer(console: Console, answer: Answer, show_alternatives: bool = True) -> None:
    """Print an answer as a panel, with alternatives below."""
    if answer.status is AnswerStatus.INVALID_QUESTION:
        console.print(
            Panel(Text(answer.message), title="Question not accepted", border_style="yellow")
        )
        return
    best = answer.best
    if answer.answered and best is not None:
        body = Group(quote_text(best), Text(""), source_line(best))
        title = (
            f"Answer · confidence {confidence_label(answer.confidence)} ({answer.confidence:.2f})"
        )
        console.print(Panel(body, title=title, title_align="left", border_style="green"))
    else:
        parts: list[Text] = [Text(answer.message or "The articles do not say.", style="bold")]
        if best is not None:
            parts += [
                Text(""),
                Text("Closest passage (not an answer):", style="dim"),
                quote_text(best),
                source_line(best),
            ]
        console.print(
            Panel(Group(*parts), title="Not found", title_align="left", border_style="red")
        )
    if show_alternatives and answer.alternatives:
        table = Table(title="Other articles", show_lines=True, title_justify="left")
        table.add_column("#", justify="right", style="dim")
        table.add_column("Quote")
        table.add_column("Article")
        table.add_column("Score", justify="right")
        for number, finding in enumerate(answer.alternatives, start=1):
            table.add_row(
                str(number), quote_text(finding), source_line(finding), f"{finding.score:.2f}"
            )
        console.print(table)
    console.print(Text(f"{answer.elapsed_ms:.1f} ms", style="dim"))


def render_problems(console: Console, problems: tuple[LoadProblem, ...]) -> None:
    """List load problems, fatal ones in red."""
    if not problems:
        return
    table = Table(title=f"{len(problems)} problem(s)", title_justify="left")
    table.add_column("File")
    table.add_column("Line", justify="right")
    table.add_column("Problem")
    for problem in problems:
        style = "red" if problem.fatal else "yellow"
        table.add_row(
            problem.file,
            "" if problem.line is None else str(problem.line),
            Text(problem.reason, style=style),
        )
    console.print(table)


def render_knowledge(console: Console, knowledge: KnowledgeBase, limit: int = 200) -> None:
    """The `check` table: title, dateline, passages, source; then the problems."""
    counts = knowledge.passage_counts()
    table = Table(title="Knowledge base", title_justify="left")
    table.add_column("Title", max_width=60)
    table.add_column("Dateline", style="cyan")
    table.add_column("Passages", justify="right")
    table.add_column("Source file", style="dim")
    for article in knowledge.articles[:limit]:
        table.add_row(
            collapse_whitespace(article.title),
            article.dateline.display if article.dateline is not None else "—",
            str(counts.get(article.id, 0)),
            article.source_file,
        )
    if len(knowledge.articles) > limit:
        table.caption = (
            f"showing {limit} of {len(knowledge.articles):,} articles (--json lists all)"
        )
    console.print(table)
    render_problems(console, knowledge.report.problems)


@contextmanager
def build_progress(console: Console) -> Iterator[ProgressCallback]:
    """A progress bar for index builds, shown only on a terminal and for large builds."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(stage: str, done: int, total: int) -> None:
        if total < _PROGRESS_MIN_ITEMS and stage == "analyzing":
            return
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    with progress:
        yield update


def render_index(console: Console, status: dict[str, Any]) -> None:
    """`dateline index build|status`: the published snapshot and what the build did."""
    table = Table(title="Knowledge snapshot", title_justify="left", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    build = status.get("build")
    if build:
        table.add_row(
            "build",
            f"{build['mode']} ({build['reason']}): {build['files_parsed']:,} of "
            f"{build['files']:,} files parsed, {build['passages_analyzed']:,} of "
            f"{build['passages']:,} passages analyzed, {build['seconds']:.2f} s "
            f"(saving {build['save_seconds']:.2f} s)",
        )
    table.add_row("folder", status["home"])
    if status.get("published"):
        table.add_row("snapshot", str(status["snapshot"]))
        table.add_row(
            "holds",
            f"{status['articles']:,} articles, {status['passages']:,} passages from "
            f"{status['files']:,} files, {status['bytes'] / 1e6:,.1f} MB",
        )
    current = bool(status.get("current"))
    table.add_row(
        "state",
        Text(
            f"{'current' if current else 'stale'}: {status.get('reason', '')}",
            style="green" if current else "yellow",
        ),
    )
    for stale in status.get("stale_files") or ():
        table.add_row(
            "last good version",
            Text(f"{stale['file']}: fails to load now ({stale['reason']})", style="yellow"),
        )
    console.print(table)


def _ms(figures: dict[str, Any] | None, key: str) -> str:
    if not figures or figures.get(key) is None:
        return "—"
    return f"{figures[key]:,.3f}"


def _render_neural(console: Console, neural: dict[str, Any] | None) -> None:
    """The neural stage's part of `dateline bench`."""
    if neural is None:
        return
    if not neural["available"]:
        console.print(
            f"neural stage not measured: {neural['reason']}", style="yellow", markup=False
        )
        return
    table = Table(title="Neural stage (ms per answer)", title_justify="left")
    for column in ("vectors", "p50", "p95", "p99"):
        table.add_column(column, justify="left" if column == "vectors" else "right")
    for label, key in (
        (
            f"cold, as the bot serves (≤ {INTERACTIVE_LIMIT} embedded, else BM25-only)",
            "ask_cold_interactive",
        ),
        ("cold, first batch run (all embedded on demand)", "ask_cold_vectors"),
        ("warm (candidates' vectors cached)", "ask_warm_vectors"),
    ):
        values = neural[key]
        table.add_row(label, _ms(values, "p50_ms"), _ms(values, "p95_ms"), _ms(values, "p99_ms"))
    console.print(table)
    console.print(
        f"encoder: {neural['texts_per_second']:,.0f} texts/s = "
        f"{neural['passages_per_second']:,.0f} passages/s; whole knowledge "
        f"({neural['texts_in_knowledge']:,} texts) projected at "
        f"{neural['projected_full_embedding_minutes']} min; "
        f"model load {neural['model_load_ms']:.0f} ms"
    )


def render_bench(console: Console, figures: dict[str, Any]) -> None:
    """`dateline bench`: machine, corpus, timings, baselines and the floors."""
    machine, corpus = figures["machine"], figures["corpus"]
    console.print(
        f"[bold]dateline bench --size {figures['size']}[/bold] · {machine['cpu']}, "
        f"{machine['logical_cores']} cores, load {machine['load_average']} → "
        f"{machine.get('load_average_end')} · {corpus['articles']:,} articles, "
        f"{corpus['passages']:,} passages ({corpus['passage_words']} words), "
        f"{corpus['vocabulary']:,} terms, {corpus['questions']:,} questions",
        highlight=False,
    )
    build, cold = figures["build"], figures["cold_start"]
    table = Table(title="Build, snapshot and memory", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("build from the articles (incl. save)", f"{build['seconds']:.2f} s")
    table.add_row("snapshot save", f"{build['save_seconds']:.2f} s")
    table.add_row("snapshot size", f"{build['snapshot_mb']:,.1f} MB")
    table.add_row("cold start: new process → first answer", f"{cold['process_seconds']:.2f} s")
    table.add_row("  of which snapshot load", f"{cold['load_seconds']:.2f} s")
    table.add_row("peak RSS: serving process (cold start)", f"{cold['peak_rss_mb']:,.0f} MB")
    table.add_row(
        "peak RSS: build + queries + reloads", f"{figures['peak_rss_mb']['dateline']:,.0f} MB"
    )
    incremental = figures["reloads"].get("incremental", {})
    table.add_row(
        "reload after editing 1 file",
        f"{incremental.get('seconds', 0):.2f} s ({incremental.get('files_parsed')} of "
        f"{incremental.get('files')} files parsed)",
    )
    console.print(table)

    latency = figures["latency"]
    comparison = figures.get("comparison", {})
    table = Table(title="Latency per question (ms, one thread)", title_justify="left")
    for column in ("", "p50", "p95", "p99", "mean", "queries/s"):
        table.add_column(column, justify="right" if column else "left")
    rows = [
        ("Dateline retrieval (analyze + search)", latency["retrieval"]),
        ("Dateline search only", latency["search_only"]),
        ("Dateline full ask (retrieval + quote)", latency["ask"]),
        ("bm25s (default backend)", comparison.get("bm25s", {}).get("latency")),
        (
            f"rank-bm25 get_scores + top-k ({comparison.get('rank_bm25', {}).get('queries', 0)} q)",
            comparison.get("rank_bm25", {}).get("latency"),
        ),
    ]
    for name, values in rows:
        if values:
            table.add_row(
                name,
                _ms(values, "p50_ms"),
                _ms(values, "p95_ms"),
                _ms(values, "p99_ms"),
                _ms(values, "mean_ms"),
                f"{values['qps']:,.0f}",
            )
    console.print(table)

    _render_neural(console, figures.get("neural"))

    table = Table(title="Event-loop stall while reloading in a worker thread", title_justify="left")
    for column in ("reload", "seconds", "max stall ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "reload" else "right")
    for name, values in figures["reloads"].items():
        table.add_row(
            name, f"{values['seconds']:.2f}", f"{values['max_ms']:.1f}", f"{values['p99_ms']:.1f}"
        )
    console.print(table)

    table = Table(title="Floors (issue 5)", title_justify="left")
    for column in ("floor", "measured", "limit", ""):
        table.add_column(column, justify="left" if column == "floor" else "right")
    for floor in figures["floors"]:
        sign = "≤" if floor["at_most"] else "≥"
        value = floor["value"]
        table.add_row(
            floor["floor"],
            "—" if value is None else f"{value:,}",
            f"{sign} {floor['limit']:,}",
            Text("ok" if floor["ok"] else "MISSED", style="green" if floor["ok"] else "bold red"),
        )
    console.print(table)

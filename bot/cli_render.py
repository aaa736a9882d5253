"""Terminal rendering with rich: answer panels, knowledge tables, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from bot.answers import Answer, AnswerStatus, Finding, confidence_label
from bot.articles import LoadProblem, collapse_whitespace
from bot.knowledge import KnowledgeBase, ProgressCallback

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
    counts: dict[str, int] = {}
    for passage in knowledge.passages:
        counts[passage.article_id] = counts.get(passage.article_id, 0) + 1
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

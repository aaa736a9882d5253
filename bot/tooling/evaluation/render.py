"""Terminal table and trade-off plot for `dateline eval`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.errors import DatelineError
from bot.tooling.evaluation.run import EvaluationResult


def render_evaluation(console: Console, result: EvaluationResult) -> None:
    """One table of the headline metrics."""
    metrics = result.metrics()
    table = Table(
        title=f"{result.folder}: {result.questions:,} questions, {result.articles:,} articles, "
        f"{result.passages:,} passages ({result.seconds:.1f} s)",
        title_justify="left",
    )
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    for name, value in metrics.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                table.add_row(f"unanswerable · {inner}", _format(inner_value))
        else:
            table.add_row(name, _format(value))
    table.caption = f"abstention threshold {result.threshold:.2f}"
    console.print(table)


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def save_plot(result: EvaluationResult, path: Path) -> None:
    """Answer-in-quote against abstention on unanswerable questions, across thresholds."""
    plot_sweep(result.sweep(), result.folder, result.threshold, path)


def plot_sweep(rows: list[dict[str, float]], folder: str, threshold: float, path: Path) -> None:
    """`save_plot` from a sweep (also the `sweep` of `dateline eval --json`)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise DatelineError("plotting needs matplotlib: pip install 'dateline[plot]'") from None
    figure, axis = plt.subplots(figsize=(6.5, 4.5))
    thresholds = [row["threshold"] for row in rows]
    axis.plot(
        thresholds,
        [row["answer_in_quote"] for row in rows],
        label="answer-in-quote (all answerable)",
    )
    if rows and "abstention_on_withheld" in rows[0]:
        axis.plot(
            thresholds,
            [row["abstention_on_withheld"] for row in rows],
            label="abstention on unanswerable",
        )
        axis.plot(
            thresholds,
            [row["answer_in_quote_kept"] for row in rows],
            linestyle="--",
            label="answer-in-quote (kept half)",
        )
    axis.axvline(threshold, color="grey", linestyle=":", label=f"default {threshold:.2f}")
    axis.set_xlabel("abstention threshold (confidence)")
    axis.set_ylabel("share of questions")
    axis.set_ylim(0, 1)
    axis.set_title(f"Dateline abstention trade-off: {Path(folder).name}")
    axis.legend(loc="best", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)

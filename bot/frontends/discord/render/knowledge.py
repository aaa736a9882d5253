"""What `/admin knowledge add | remove | list` show, built by pure functions within Discord's
limits. File names and titles come from uploads, so they are escaped (or put in code spans
that cannot be closed early) like any other untrusted text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import discord

from bot.frontends.discord.render.markup import (
    COLOUR_ANSWER,
    COLOUR_ERROR,
    COLOUR_INFO,
    COLOUR_NOT_FOUND,
    EMBED_FIELD_VALUE,
    escape_trimmed,
    fit_embed,
    trim,
)
from bot.knowledge import AddResult, FileEntry, LoadProblem, collapse_whitespace
from bot.serving import ReloadReport

FILES_PER_PAGE: Final = 10
PROBLEMS_SHOWN: Final = 5
ARTICLES_SHOWN: Final = 10
PROBLEMS_PER_FILE: Final = 2


def code(text: str, limit: int = 90) -> str:
    """`text` in a code span; a backtick inside it would end the span, so it is replaced."""
    inner = trim(collapse_whitespace(text).replace("`", "ˋ"), limit) or " "
    return f"`{inner}`"


def plural(count: int, noun: str) -> str:
    """`1 passage`, `2 passages`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def size_text(size: int) -> str:
    """1,234 bytes as `1.2 KB` (decimal units, as Discord shows upload limits)."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


def problem_lines(problems: Sequence[LoadProblem], limit: int = PROBLEMS_SHOWN) -> str:
    """Up to `limit` problems, one per line, and how many more there are."""
    lines = [
        f"• {escape_trimmed(problem.reason, 180)}"
        + (f" (line {problem.line})" if problem.line is not None else "")
        for problem in problems[:limit]
    ]
    more = len(problems) - len(lines)
    if more > 0:
        lines.append(f"… and {more:,} more")
    return trim("\n".join(lines), EMBED_FIELD_VALUE)


def _reload_value(report: ReloadReport | None) -> str:
    if report is None:
        return (
            "Another reload kept running; the file is saved and will be served after the "
            "next `/admin reload`."
        )
    if not report.ok:
        return (
            "**The reload failed; the previous knowledge is still answering.** "
            f"{escape_trimmed(report.error or 'unknown error', 600)}"
        )
    return escape_trimmed(report.summary(), EMBED_FIELD_VALUE)


def reload_ok(report: ReloadReport | None) -> bool:
    """Whether the change is being served now."""
    return report is not None and report.ok


def added_embed(result: AddResult, report: ReloadReport | None) -> discord.Embed:
    """The reply to a successful upload: what was detected, warnings, and the reload."""
    served = reload_ok(report)
    verb = "replaced" if result.replaced else "added"
    title = f"Article file {verb}" if served else f"Article file {verb}, but not served yet"
    embed = discord.Embed(title=title, colour=COLOUR_ANSWER if served else COLOUR_NOT_FOUND)
    first = result.articles[0]
    heading = escape_trimmed(collapse_whitespace(first.title) or first.id, 240)
    lines = [f"**{heading}**"]
    dateline = escape_trimmed(first.dateline, 200) if first.dateline else "*no dateline found*"
    lines.append(f"{dateline} · {plural(first.passages, 'passage')}")
    if len(result.articles) > 1:
        lines.append("")
        lines.append(f"**{len(result.articles):,} articles in this file:**")
        for article in result.articles[:ARTICLES_SHOWN]:
            name = escape_trimmed(collapse_whitespace(article.title) or article.id, 120)
            when = f" — {escape_trimmed(article.dateline, 80)}" if article.dateline else ""
            lines.append(f"• {name}{when} ({plural(article.passages, 'passage')})")
        more = len(result.articles) - ARTICLES_SHOWN
        if more > 0:
            lines.append(f"… and {more:,} more")
    embed.description = "\n".join(lines)
    embed.add_field(
        name="File",
        value=f"{code(result.filename)} · {size_text(result.size)} · "
        f"{plural(result.passage_count, 'passage')} in all",
        inline=False,
    )
    if result.previous is not None:
        embed.add_field(
            name="Previous version",
            value="Moved to the knowledge folder's `.trash`; it can be restored from there.",
            inline=False,
        )
    if result.warnings:
        embed.add_field(
            name=f"Warnings ({len(result.warnings):,})",
            value=problem_lines(result.warnings),
            inline=False,
        )
    embed.add_field(name="Knowledge", value=_reload_value(report), inline=False)
    return fit_embed(embed)


def rejected_embed(reason: str, problems: Sequence[LoadProblem] = ()) -> discord.Embed:
    """An upload or removal that was refused; nothing was written."""
    embed = discord.Embed(
        title="Nothing was changed",
        description=escape_trimmed(reason, 1500),
        colour=COLOUR_ERROR,
    )
    if problems:
        embed.add_field(
            name=f"Problems ({len(problems):,})", value=problem_lines(problems), inline=False
        )
    return fit_embed(embed)


def removed_embed(
    relative_path: str, titles: Sequence[str], report: ReloadReport | None
) -> discord.Embed:
    """The reply to `/admin knowledge remove`."""
    served = reload_ok(report)
    embed = discord.Embed(
        title="Article file removed" if served else "Article file removed, reload pending",
        colour=COLOUR_ANSWER if served else COLOUR_NOT_FOUND,
        description=(
            f"{code(relative_path)} was moved to the knowledge folder's `.trash` and can be "
            "restored from there (move it back, then `/admin reload`)."
        ),
    )
    if titles:
        shown = [f"• {escape_trimmed(collapse_whitespace(t), 150)}" for t in titles[:10]]
        if len(titles) > 10:
            shown.append(f"… and {len(titles) - 10:,} more")
        embed.add_field(
            name=f"No longer answered from ({len(titles):,})",
            value=trim("\n".join(shown), EMBED_FIELD_VALUE),
            inline=False,
        )
    embed.add_field(name="Knowledge", value=_reload_value(report), inline=False)
    return fit_embed(embed)


def file_pages(total: int, per_page: int = FILES_PER_PAGE) -> int:
    """Pages `/admin knowledge list` needs (at least one)."""
    return max(1, math.ceil(total / per_page))


def _file_line(number: int, entry: FileEntry) -> str:
    count = plural(entry.articles, "article")
    if not entry.loaded:
        state = "🆕 not loaded yet (run `/admin reload`)"
    elif entry.problems:
        fatal = any(problem.fatal for problem in entry.problems)
        state = f"{'❌' if fatal else '⚠️'} {len(entry.problems):,} problem" + (
            "s" if len(entry.problems) != 1 else ""
        )
    else:
        state = "✅"
    name = code(entry.relative_path, 80)
    line = f"`{number}.` {name} — {count} · {size_text(entry.size)} {state}"
    for problem in entry.problems[:PROBLEMS_PER_FILE]:
        where = f"line {problem.line}: " if problem.line is not None else ""
        line += f"\n  ↳ {where}{escape_trimmed(problem.reason, 120)}"
    if len(entry.problems) > PROBLEMS_PER_FILE:
        line += f"\n  ↳ … and {len(entry.problems) - PROBLEMS_PER_FILE:,} more"
    return line


def files_embed(
    entries: Sequence[FileEntry], page: int, *, only_problems: bool = False
) -> discord.Embed:
    """One page of the knowledge folder's files, with their problems."""
    pages = file_pages(len(entries))
    page = min(max(page, 0), pages - 1)
    label = "Article files with problems" if only_problems else "Article files"
    embed = discord.Embed(title=f"{label} ({len(entries):,})", colour=COLOUR_INFO)
    first = page * FILES_PER_PAGE
    lines = [
        _file_line(number, entry)
        for number, entry in enumerate(entries[first : first + FILES_PER_PAGE], start=first + 1)
    ]
    if lines:
        embed.description = "\n".join(lines)
    elif only_problems:
        embed.description = "No file has a problem. ✅"
    else:
        embed.description = "The knowledge folder has no article files."
    troubled = sum(1 for entry in entries if entry.problems or not entry.loaded)
    embed.set_footer(
        text=f"Page {page + 1} of {pages} · {troubled:,} need attention · "
        "/admin knowledge add | remove"
    )
    return fit_embed(embed)

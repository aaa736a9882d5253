"""The `/admin stats` reply, built from `storage.Stats` by pure functions (unit-testable).

Question texts shown here were typed by users, so they are stripped of invisible control
characters (zero-width, bidi overrides) and escaped for markdown like article text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, Literal

import discord

from bot.frontends.discord.render.markup import (
    COLOUR_ERROR,
    COLOUR_INFO,
    EMBED_FIELD_VALUE,
    escape_trimmed,
    fit_embed,
    visible,
)
from bot.records import Stats

StatsPeriod = Literal["24h", "7d", "30d", "all"]
PERIODS: Final[Mapping[str, timedelta | None]] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "all": None,
}
PERIOD_NAMES: Final[Mapping[str, str]] = {
    "24h": "the last 24 hours",
    "7d": "the last 7 days",
    "30d": "the last 30 days",
    "all": "everything stored",
}
TOP_SHOWN: Final = 10
LINE_TEXT: Final = 90


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _lines(rows: list[str]) -> str:
    """Numbered lines that fit one embed field (whole lines only)."""
    out: list[str] = []
    used = 0
    for row in rows:
        if used + len(row) + 1 > EMBED_FIELD_VALUE:
            break
        out.append(row)
        used += len(row) + 1
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class StatsContext:
    """What the stats reply needs besides the figures."""

    period: StatsPeriod
    titles: Mapping[str, str]  # article id -> title, from the knowledge serving now
    retention_days: int
    scope: str = "this server"


def stats_embed(stats: Stats, context: StatsContext) -> discord.Embed:
    """Questions asked and answered, what to add next, feedback, most-quoted articles."""
    period = PERIOD_NAMES.get(context.period, context.period)
    embed = discord.Embed(title=f"Dateline stats — {period}", colour=COLOUR_INFO)
    asked, answered = stats.questions_asked, stats.questions_answered
    embed.description = (
        f"**{asked:,}** question{'s' if asked != 1 else ''} asked, **{answered:,}** answered "
        f"({_percent(stats.answer_rate)})."
        if asked
        else "No questions were asked in this period."
    )
    votes = stats.feedback_up + stats.feedback_down
    embed.add_field(
        name="Feedback",
        value=(
            f"👍 {stats.feedback_up:,} · 👎 {stats.feedback_down:,} — "
            f"{_percent(stats.feedback_ratio)} found the answer helpful"
            if votes
            else "No votes yet."
        ),
        inline=False,
    )
    unanswered = [
        f"`{row.count:,}×` {escape_trimmed(visible(row.text), LINE_TEXT) or '(blank)'}"
        for row in stats.top_unanswered[:TOP_SHOWN]
    ]
    embed.add_field(
        name="Most asked, not answered — add articles about these",
        value=_lines(unanswered) or "None: every question found an answer.",
        inline=False,
    )
    quoted: list[str] = []
    for row in stats.top_articles[:TOP_SHOWN]:
        title = context.titles.get(row.article_id)
        shown = (
            escape_trimmed(visible(title) or row.article_id, LINE_TEXT)
            if title is not None
            else f"{escape_trimmed(row.article_id, LINE_TEXT)} *(no longer loaded)*"
        )
        quoted.append(f"`{row.count:,}×` {shown}")
    embed.add_field(
        name="Most-quoted articles", value=_lines(quoted) or "No answers yet.", inline=False
    )
    since = f" · since {stats.since:%Y-%m-%d %H:%M} UTC" if stats.since is not None else ""
    embed.set_footer(
        text=f"{context.scope.capitalize()}{since} · questions are kept "
        f"{context.retention_days} days"
    )
    return fit_embed(embed)


def stats_unavailable_embed() -> discord.Embed:
    """When the database cannot be read (or is switched off)."""
    return discord.Embed(
        title="Statistics are unavailable",
        description=(
            "The database could not be read, so there are no figures to show. Answers are not "
            "affected. The reason is in the bot's log."
        ),
        colour=COLOUR_ERROR,
    )

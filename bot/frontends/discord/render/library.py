"""Browsing the library on Discord: the paged source list, one article's card, and help."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.frontends.discord.render.markup import (
    COLOUR_INFO,
    EMBED_FIELD_VALUE,
    LEAD_BUDGET,
    LIST_IN_FIELD,
    SOURCE_LINE_BUDGET,
    SOURCES_PER_PAGE,
    escape_trimmed,
    fit_embed,
    safe_url,
    seconds_text,
    titled,
    trim,
    trim_markdown,
)
from bot.knowledge import Article, collapse_whitespace


def sources_pages(total: int, per_page: int = SOURCES_PER_PAGE) -> int:
    """How many pages /sources needs (at least one, even when there are no articles)."""
    return max(1, math.ceil(total / per_page))


def sources_embed(
    articles: Sequence[Article], page: int, per_page: int = SOURCES_PER_PAGE
) -> discord.Embed:
    """One page of the article list: number, title, dateline."""
    pages = sources_pages(len(articles), per_page)
    page = min(max(page, 0), pages - 1)
    embed = discord.Embed(title=f"Articles ({len(articles):,})", colour=COLOUR_INFO)
    lines: list[str] = []
    first = page * per_page
    for number, article in enumerate(articles[first : first + per_page], start=first + 1):
        title = escape_trimmed(collapse_whitespace(article.title) or article.id, 160)
        line = f"`{number}.` **{title}**"
        if article.dateline is not None:
            line += f" — {escape_trimmed(article.dateline.display, 80)}"
        lines.append(trim_markdown(line, SOURCE_LINE_BUDGET))
    embed.description = "\n".join(lines) if lines else "No articles are loaded."
    embed.set_footer(text=f"Page {page + 1} of {pages} · /article shows one article")
    return fit_embed(embed)


def article_embed(article: Article, passages: int | None = None) -> discord.Embed:
    """One article: dateline, title (linked), lead, source. Public, so never the server's
    file path (`article_file_message` gives admins that, privately)."""
    embed = discord.Embed(colour=COLOUR_INFO)
    titled(embed, article)
    parts: list[str] = []
    if article.dateline is not None:
        parts.append(f"**{escape_trimmed(article.dateline.display, 200)}**")
    lead = article.lead
    parts.append(escape_trimmed(lead, LEAD_BUDGET) if lead else "*This article has no body text.*")
    embed.description = "\n".join(parts)
    for name, value in (
        ("Source", article.source),
        ("Published", article.published),
        ("Link", safe_url(article.url)),
    ):
        if value:
            shown = value if name == "Link" else escape_trimmed(value, EMBED_FIELD_VALUE)
            embed.add_field(name=name, value=trim(shown, EMBED_FIELD_VALUE), inline=True)
    if passages is not None:
        embed.add_field(name="Passages", value=f"{passages:,}", inline=True)
    return fit_embed(embed)


def article_file_message(article: Article) -> str:
    """For admins only (ephemeral): where the article shown above lives on the server."""
    return f"File: `{escape_trimmed(article.source_file, 1800).replace('`', 'ʼ')}`"


def article_not_found_message(query: str) -> str:
    """Shown when /article cannot resolve the title."""
    shown = escape_trimmed(collapse_whitespace(query), 200)
    return f"No article matches “{shown}”. Start typing a title and pick one of the suggestions."


@dataclass(frozen=True, slots=True)
class HelpContext:
    """What /help explains, taken from the settings and the running bot."""

    bot_mention: str
    qa_channel_mentions: tuple[str, ...]
    channel_questions_enabled: bool
    thread_mode: bool
    cooldown_rate: int
    cooldown_seconds: float
    max_question_chars: int


def help_embed(context: HelpContext) -> discord.Embed:
    """How to use Dateline, reflecting this server's configuration."""
    embed = discord.Embed(
        title="Dateline — answers quoted from the news articles",
        colour=COLOUR_INFO,
        description=(
            "Ask a question and I reply with the exact sentence that answers it, its dateline, "
            "the article's title and source. If the articles do not say, I say so and show "
            "the closest passage."
        ),
    )
    embed.add_field(
        name="Ask",
        value=(
            f"• Mention me: `{context.bot_mention} who welcomed the first planes?`\n"
            "• `/ask question:` — add `private: True` to see the answer alone.\n"
            "• Use **More results** to page through other articles, 👍/👎 to rate an answer."
        ),
        inline=False,
    )
    if context.qa_channel_mentions and context.channel_questions_enabled:
        channels = ", ".join(context.qa_channel_mentions[:LIST_IN_FIELD])
        embed.add_field(
            name="Question channels",
            value=f"In {channels} every question is answered, no mention needed.",
            inline=False,
        )
    embed.add_field(
        name="Browse",
        value="• `/sources` lists the articles.\n• `/article title:` shows one article.",
        inline=False,
    )
    rules = (
        f"Questions up to {context.max_question_chars:,} characters; "
        f"{context.cooldown_rate} question{'s' if context.cooldown_rate != 1 else ''} per "
        f"{seconds_text(context.cooldown_seconds)} per person."
    )
    if context.thread_mode:
        rules += " Answers to mentions and channel questions open a thread."
    embed.add_field(name="Limits", value=rules, inline=False)
    embed.set_footer(
        text="Server admins: /admin reload, status, stats, knowledge add/remove/list, sync"
    )
    return fit_embed(embed)

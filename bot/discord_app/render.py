"""Everything users see on Discord, built from core values by pure functions.

No network and no bot state here, so every Discord limit can be unit-tested: each builder
trims to the limit instead of letting Discord answer 400. Article and question text is
escaped for Discord markdown *before* our own markers (`**`, `>`) are added, so text from an
article can never break the formatting around it.
"""

from __future__ import annotations

import math
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import discord

from bot.answers import Answer, AnswerStatus, Finding, confidence_label
from bot.articles import Article, collapse_whitespace
from bot.service import ReloadReport

ELLIPSIS: Final = "…"

# Discord's documented limits (characters unless stated).
MESSAGE_CHARS: Final = 2000
EMBED_TITLE: Final = 256
EMBED_DESCRIPTION: Final = 4096
EMBED_FIELD_NAME: Final = 256
EMBED_FIELD_VALUE: Final = 1024
EMBED_FIELDS: Final = 25
EMBED_FOOTER: Final = 2048
EMBED_AUTHOR: Final = 256
EMBED_TOTAL: Final = 6000
URL_CHARS: Final = 2048
CHOICES: Final = 25
CHOICE_NAME: Final = 100
CHOICE_VALUE: Final = 100
CUSTOM_ID: Final = 100
BUTTON_LABEL: Final = 80
THREAD_NAME: Final = 100

# Our own, tighter budgets: a reply should be readable, not merely legal.
QUOTE_BUDGET: Final = 1800
LEAD_BUDGET: Final = 1500
SOURCES_PER_PAGE: Final = 10
SOURCE_LINE_BUDGET: Final = 300
LIST_IN_FIELD: Final = 10

COLOUR_ANSWER: Final = discord.Colour.from_rgb(46, 139, 87)
COLOUR_NOT_FOUND: Final = discord.Colour.from_rgb(200, 140, 40)
COLOUR_INFO: Final = discord.Colour.blurple()
COLOUR_ERROR: Final = discord.Colour.red()

NO_MENTIONS: Final = discord.AllowedMentions.none()
"""Used on the bot and on every send: nothing a reply contains may ping anyone."""

# Every character with a meaning in Discord markdown (or mention/emoji syntax) gets a
# backslash. Escaping each occurrence (discord.utils.escape_markdown only escapes pairs it
# can see) keeps the text inert even when it is cut into pieces around highlights.
_MARKDOWN_SPECIALS: Final = frozenset("\\*_~|`>#-[]()<:")


def escape_markdown(text: str) -> str:
    """`text` rendered literally by Discord: every markdown-significant character escaped."""
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIALS else char for char in text)


def trim(text: str, limit: int) -> str:
    """At most `limit` characters; a cut ends in an ellipsis (never splits inside a word if a
    space is near)."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return ELLIPSIS
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 3 // 4:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def escape_trimmed(text: str, limit: int) -> str:
    """`escape_markdown(text)` cut to `limit` characters without splitting an escape."""
    out: list[str] = []
    used = 0
    for index, char in enumerate(text):
        piece = f"\\{char}" if char in _MARKDOWN_SPECIALS else char
        remaining_after = len(text) - index - 1
        reserve = 0 if remaining_after == 0 else len(ELLIPSIS)
        if used + len(piece) + reserve > limit:
            return "".join(out).rstrip() + ELLIPSIS if limit >= len(ELLIPSIS) else ""
        out.append(piece)
        used += len(piece)
    return "".join(out)


def mark_quote(text: str, highlights: Sequence[tuple[int, int]], limit: int) -> str:
    """The quote escaped, with each highlight in `**bold**`, within `limit` characters.

    Markers are counted in the budget and a cut never leaves a bold marker open, so the
    result is always well-formed markdown.
    """
    text = text.replace("\n", " ")
    spans = sorted((max(0, start), min(len(text), end)) for start, end in highlights if end > start)
    out: list[str] = []
    used = 0
    position = 0
    budget = max(limit - len(ELLIPSIS), 0)

    def emit(piece: str, closing: int = 0) -> bool:
        nonlocal used
        if used + len(piece) + closing > budget:
            return False
        out.append(piece)
        used += len(piece)
        return True

    def emit_text(segment: str, closing: int = 0) -> bool:
        return all(
            emit(f"\\{char}" if char in _MARKDOWN_SPECIALS else char, closing) for char in segment
        )

    complete = True
    for start, end in spans:
        if start < position:
            continue
        if not emit_text(text[position:start]):
            complete = False
            break
        if not emit("**", 2 + 1):  # room to close the marker after at least one character
            complete = False
            break
        finished = emit_text(text[start:end], closing=2)
        out.append("**")
        used += 2
        position = end
        if not finished:
            complete = False
            break
    if complete:
        complete = emit_text(text[position:])
    # Adjacent highlights (or one cut before its first character) leave `****`: drop it.
    result = "".join(out).replace("****", "")
    if complete:
        return result
    return result.rstrip() + ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """An http(s) url Discord will accept for an embed link, or None."""
    if not url:
        return None
    url = url.strip()
    if len(url) > URL_CHARS or any(char.isspace() for char in url):
        return None
    if not url.lower().startswith(("http://", "https://")):
        return None
    return url


def quote_block(finding: Finding, limit: int = QUOTE_BUDGET) -> str:
    """The supporting quote as a Discord quote block, matched words in bold."""
    quote = finding.quote
    inner = mark_quote(quote.text, [(start, end) for start, end in quote.highlights], limit - 4)
    return f"> “{inner}”"


def source_line(article: Article, limit: int = 400) -> str:
    """`**MOSCOW, April 2 /TASS/** · TASS · 2020-04-02` (escaped, trimmed)."""
    parts: list[str] = []
    if article.dateline is not None:
        parts.append(f"**{escape_trimmed(article.dateline.display, limit // 2)}**")
    details = [part for part in (article.source, article.published) if part]
    if details:
        parts.append(escape_trimmed(" · ".join(details), limit // 2))
    if not parts:
        return "*No dateline*"
    return " · ".join(parts)


def _titled(embed: discord.Embed, article: Article) -> None:
    embed.title = trim(collapse_whitespace(article.title) or article.id, EMBED_TITLE)
    url = safe_url(article.url)
    if url is not None:
        embed.url = url


def visible(text: str) -> str:
    """User text without control or format characters (zero-width, bidi overrides, NUL),
    whitespace collapsed: what it says, without what could make it display as something else."""
    kept = "".join(
        char
        for char in text
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf", "Co", "Cs")
    )
    return " ".join(kept.split())


def _question_author(embed: discord.Embed, question: str) -> None:
    # Author names are not rendered as markdown and embeds never ping, so no escaping; but a
    # bidi override in the question could make the echo read as something else.
    shown = visible(question)
    if shown:
        embed.set_author(name=trim(f"❓ {shown}", EMBED_AUTHOR))


def page_count(answer: Answer) -> int:
    """How many pages "More results" can show (the best finding plus alternatives)."""
    return len(answer.findings)


def answer_embed(answer: Answer, page: int = 0) -> discord.Embed:
    """The reply to a question: page 0 is the best finding, later pages the alternatives."""
    findings = answer.findings
    if answer.status is AnswerStatus.INVALID_QUESTION or not findings:
        embed = discord.Embed(
            title="Not found in the articles"
            if answer.status is AnswerStatus.NOT_FOUND
            else "Question not accepted",
            description=escape_trimmed(answer.message or "No answer.", EMBED_DESCRIPTION),
            colour=COLOUR_NOT_FOUND,
        )
        _question_author(embed, answer.question)
        return fit_embed(embed)
    page = min(max(page, 0), len(findings) - 1)
    finding = findings[page]
    total = len(findings)
    if answer.answered:
        embed = discord.Embed(colour=COLOUR_ANSWER)
        _titled(embed, finding.article)
        embed.description = f"{quote_block(finding)}\n{source_line(finding.article)}"
        if page == 0:
            footer = f"Confidence: {confidence_label(answer.confidence)}"
        else:
            footer = f"Another article that may be relevant ({page + 1} of {total})"
    else:
        embed = discord.Embed(title="Not found in the articles", colour=COLOUR_NOT_FOUND)
        label = "Closest passage" if page == 0 else f"Next closest passage ({page + 1} of {total})"
        title = escape_trimmed(
            collapse_whitespace(finding.article.title) or finding.article.id, 200
        )
        url = safe_url(finding.article.url)
        heading = f"[{title}]({url})" if url is not None else f"**{title}**"
        embed.description = (
            f"{escape_trimmed(answer.message, 600)}\n\n"
            f"**{label} (not an answer):**\n{quote_block(finding)}\n"
            f"{heading}\n{source_line(finding.article)}"
        )
        footer = f"Confidence: {confidence_label(answer.confidence)} — below the answer threshold"
    if total > 1 and page == 0:
        footer += f" · {total - 1} more result{'s' if total > 2 else ''}"
    embed.set_footer(text=trim(footer, EMBED_FOOTER))
    _question_author(embed, answer.question)
    return fit_embed(embed)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Enforce every per-part limit and the 6,000-character total, trimming the longest parts."""
    if embed.title and len(embed.title) > EMBED_TITLE:
        embed.title = trim(embed.title, EMBED_TITLE)
    if embed.description and len(embed.description) > EMBED_DESCRIPTION:
        embed.description = _trim_markdown(embed.description, EMBED_DESCRIPTION)
    fields = embed.fields[:EMBED_FIELDS]
    if len(embed.fields) > EMBED_FIELDS or any(
        len(field.name or "") > EMBED_FIELD_NAME or len(field.value or "") > EMBED_FIELD_VALUE
        for field in fields
    ):
        embed.clear_fields()
        for field in fields:
            embed.add_field(
                name=trim(field.name or "\u200b", EMBED_FIELD_NAME) or "\u200b",
                value=_trim_markdown(field.value or "\u200b", EMBED_FIELD_VALUE) or "\u200b",
                inline=bool(field.inline),
            )
    if embed.footer.text and len(embed.footer.text) > EMBED_FOOTER:
        embed.set_footer(text=trim(embed.footer.text, EMBED_FOOTER))
    if embed.author.name and len(embed.author.name) > EMBED_AUTHOR:
        embed.set_author(name=trim(embed.author.name, EMBED_AUTHOR), url=embed.author.url)
    excess = len(embed) - EMBED_TOTAL
    if excess > 0 and embed.description:
        keep = max(len(embed.description) - excess, 0)
        embed.description = _trim_markdown(embed.description, keep) or None
        excess = len(embed) - EMBED_TOTAL
    while excess > 0 and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
        excess = len(embed) - EMBED_TOTAL
    return embed


def _trim_markdown(text: str, limit: int) -> str:
    """Cut already-formatted markdown: never end on a lone backslash or inside a `**` pair."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    if _open_bold(cut):
        cut = cut[:-2] if cut.endswith("**") else cut[: max(len(cut) - 2, 0)] + "**"
        if _open_bold(cut):
            cut = cut.rsplit("**", 1)[0]
    return cut + ELLIPSIS


def _open_bold(text: str) -> bool:
    count = 0
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith("**", index):
            count += 1
            index += 2
            continue
        index += 1
    return count % 2 == 1


def content(text: str) -> str:
    """Plain message content within Discord's 2,000 characters."""
    return trim(text, MESSAGE_CHARS) or "\u200b"


def cooldown_message(retry_after: float) -> str:
    """The friendly refusal when a user asks too fast."""
    seconds = max(1, math.ceil(retry_after))
    return f"You're asking quickly — please try again in {seconds} s."


def too_long_message(length: int, limit: int) -> str:
    """The polite refusal of an over-long question."""
    return (
        f"That question is {length:,} characters long; please keep it under {limit:,} "
        "characters and ask about one thing at a time."
    )


def empty_question_message(example_mention: str) -> str:
    """Shown when someone mentions the bot without a question."""
    return (
        f"Ask me a question after the mention, e.g. `{example_mention} who welcomed the planes?`, "
        "or use `/ask`."
    )


def not_owner_message() -> str:
    """Shown when someone else presses an answer's page buttons."""
    return "Only the person who asked can page through these results — ask your own with `/ask`."


def thread_name(question: str) -> str:
    """A thread title for a question (plain text; Discord shows it literally)."""
    name = visible(question).replace("@", "@\u200b") or "Question"
    return trim(name, THREAD_NAME)


# --- library pages ----------------------------------------------------------------------------


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
        lines.append(_trim_markdown(line, SOURCE_LINE_BUDGET))
    embed.description = "\n".join(lines) if lines else "No articles are loaded."
    embed.set_footer(text=f"Page {page + 1} of {pages} · /article shows one article")
    return fit_embed(embed)


def article_embed(article: Article, passages: int | None = None) -> discord.Embed:
    """One article: dateline, title (linked), lead, source, file."""
    embed = discord.Embed(colour=COLOUR_INFO)
    _titled(embed, article)
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
        ("File", article.source_file),
    ):
        if value:
            shown = value if name == "Link" else escape_trimmed(value, EMBED_FIELD_VALUE)
            embed.add_field(name=name, value=trim(shown, EMBED_FIELD_VALUE), inline=name != "File")
    if passages is not None:
        embed.add_field(name="Passages", value=f"{passages:,}", inline=True)
    return fit_embed(embed)


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
        f"{_seconds(context.cooldown_seconds)} per person."
    )
    if context.thread_mode:
        rules += " Answers to mentions and channel questions open a thread."
    embed.add_field(name="Limits", value=rules, inline=False)
    embed.set_footer(
        text="Server admins: /admin reload, status, stats, knowledge add/remove/list, sync"
    )
    return fit_embed(embed)


def _seconds(value: float) -> str:
    if value >= 60 and value % 60 == 0:
        minutes = int(value // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{value:g} s"


# --- admin ------------------------------------------------------------------------------------


def _id_list(ids: Iterable[str], limit: int = LIST_IN_FIELD) -> str:
    items = list(ids)
    shown = [f"`{trim(item, 90).replace('`', 'ˋ')}`" for item in items[:limit]]
    more = len(items) - len(shown)
    text = ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")
    return trim(text, EMBED_FIELD_VALUE)


def reload_embed(report: ReloadReport) -> discord.Embed:
    """The /admin reload reply: what changed, problems and time; or why it failed."""
    if not report.ok:
        embed = discord.Embed(
            title="Reload failed — the previous knowledge is still answering",
            description=escape_trimmed(report.error or "unknown error", 1500),
            colour=COLOUR_ERROR,
        )
        embed.set_footer(text=f"after {report.seconds:.2f} s")
        return fit_embed(embed)
    embed = discord.Embed(
        title="Knowledge reloaded",
        description=(
            f"**{report.articles:,}** articles, **{report.passages:,}** passages "
            f"in {report.seconds:.2f} s."
        ),
        colour=COLOUR_ANSWER,
    )
    for name, ids in (
        ("Added", report.added),
        ("Removed", report.removed),
        ("Changed", report.changed),
    ):
        embed.add_field(
            name=f"{name} ({len(ids):,})", value=_id_list(ids) if ids else "—", inline=False
        )
    if report.problems:
        problems = [escape_trimmed(str(problem), 200) for problem in report.problems[:5]]
        more = len(report.problems) - len(problems)
        value = "\n".join(problems) + (f"\n… and {more:,} more" if more > 0 else "")
        embed.add_field(name=f"Problems ({len(report.problems):,})", value=value, inline=False)
    return fit_embed(embed)


@dataclass(frozen=True, slots=True)
class ExtensionResult:
    """One cog's outcome in /admin reload-extensions."""

    name: str
    ok: bool
    error: str | None = None


def extensions_embed(results: Sequence[ExtensionResult]) -> discord.Embed:
    """The /admin reload-extensions reply."""
    failed = [result for result in results if not result.ok]
    embed = discord.Embed(
        title="Extensions reloaded" if not failed else "Some extensions failed to reload",
        colour=COLOUR_ANSWER if not failed else COLOUR_ERROR,
    )
    lines = []
    for result in results:
        if result.ok:
            lines.append(f"✅ `{result.name}`")
        else:
            error = escape_trimmed(result.error or "failed", 300)
            lines.append(f"❌ `{result.name}` — kept the previous version: {error}")
    embed.description = "\n".join(lines) or "No extensions."
    return fit_embed(embed)


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What /admin status shows; gathered by the admin cog, rendered here."""

    version: str
    discord_version: str
    started_at: float
    articles: int
    passages: int
    last_reload: ReloadReport | None
    reloading: bool
    latency_seconds: float | None
    guilds: int
    shard: str | None = None
    storage: str = "ok"


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def status_embed(info: StatusInfo, now: float | None = None) -> discord.Embed:
    """The /admin status reply."""
    now = time.time() if now is None else now
    embed = discord.Embed(title="Dateline status", colour=COLOUR_INFO)
    embed.add_field(name="Uptime", value=_duration(now - info.started_at), inline=True)
    embed.add_field(name="Articles", value=f"{info.articles:,}", inline=True)
    embed.add_field(name="Passages", value=f"{info.passages:,}", inline=True)
    if info.last_reload is None:
        reload_text = "never"
    else:
        ago = _duration(now - info.last_reload.finished_at)
        verdict = "ok" if info.last_reload.ok else "failed"
        reload_text = f"{verdict}, {ago} ago — {escape_trimmed(info.last_reload.summary(), 700)}"
    if info.reloading:
        reload_text = "running now; " + reload_text
    embed.add_field(name="Last reload", value=trim(reload_text, EMBED_FIELD_VALUE), inline=False)
    latency = info.latency_seconds
    latency_text = (
        f"{latency * 1000:.0f} ms" if latency is not None and math.isfinite(latency) else "n/a"
    )
    embed.add_field(name="Gateway latency", value=latency_text, inline=True)
    embed.add_field(name="Servers", value=f"{info.guilds:,}", inline=True)
    if info.shard:
        embed.add_field(name="Shards", value=info.shard, inline=True)
    embed.add_field(name="Storage", value=trim(info.storage, 200), inline=True)
    embed.set_footer(text=f"Dateline {info.version} · discord.py {info.discord_version}")
    return fit_embed(embed)


def refusal_message() -> str:
    """Shown to members who try an admin command."""
    return (
        "Only server admins can use this: you need the Manage Server permission or a "
        "Dateline admin role."
    )

"""Everything users see on Discord, built from core values by pure functions.

No network and no bot state here, so every Discord limit can be unit-tested: each builder
trims to the limit instead of letting Discord answer 400. Article and question text is
escaped for Discord markdown *before* our own markers (`**`, `>`) are added, so text from an
article can never break the formatting around it.
"""

from __future__ import annotations

import unicodedata
from typing import Final

import discord

from bot.knowledge import Article, collapse_whitespace

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
MARKDOWN_SPECIALS: Final = frozenset("\\*_~|`>#-[]()<:")


def escape_markdown(text: str) -> str:
    """`text` rendered literally by Discord: every markdown-significant character escaped."""
    return "".join(f"\\{char}" if char in MARKDOWN_SPECIALS else char for char in text)


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
        piece = f"\\{char}" if char in MARKDOWN_SPECIALS else char
        remaining_after = len(text) - index - 1
        reserve = 0 if remaining_after == 0 else len(ELLIPSIS)
        if used + len(piece) + reserve > limit:
            return "".join(out).rstrip() + ELLIPSIS if limit >= len(ELLIPSIS) else ""
        out.append(piece)
        used += len(piece)
    return "".join(out)


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


def visible(text: str) -> str:
    """User text without control or format characters (zero-width, bidi overrides, NUL),
    whitespace collapsed: what it says, without what could make it display as something else."""
    kept = "".join(
        char
        for char in text
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf", "Co", "Cs")
    )
    return " ".join(kept.split())


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Enforce every per-part limit and the 6,000-character total, trimming the longest parts."""
    if embed.title and len(embed.title) > EMBED_TITLE:
        embed.title = trim(embed.title, EMBED_TITLE)
    if embed.description and len(embed.description) > EMBED_DESCRIPTION:
        embed.description = trim_markdown(embed.description, EMBED_DESCRIPTION)
    fields = embed.fields[:EMBED_FIELDS]
    if len(embed.fields) > EMBED_FIELDS or any(
        len(field.name or "") > EMBED_FIELD_NAME or len(field.value or "") > EMBED_FIELD_VALUE
        for field in fields
    ):
        embed.clear_fields()
        for field in fields:
            embed.add_field(
                name=trim(field.name or "\u200b", EMBED_FIELD_NAME) or "\u200b",
                value=trim_markdown(field.value or "\u200b", EMBED_FIELD_VALUE) or "\u200b",
                inline=bool(field.inline),
            )
    if embed.footer.text and len(embed.footer.text) > EMBED_FOOTER:
        embed.set_footer(text=trim(embed.footer.text, EMBED_FOOTER))
    if embed.author.name and len(embed.author.name) > EMBED_AUTHOR:
        embed.set_author(name=trim(embed.author.name, EMBED_AUTHOR), url=embed.author.url)
    excess = len(embed) - EMBED_TOTAL
    if excess > 0 and embed.description:
        keep = max(len(embed.description) - excess, 0)
        embed.description = trim_markdown(embed.description, keep) or None
        excess = len(embed) - EMBED_TOTAL
    while excess > 0 and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
        excess = len(embed) - EMBED_TOTAL
    return embed


def trim_markdown(text: str, limit: int) -> str:
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


def titled(embed: discord.Embed, article: Article) -> None:
    embed.title = trim(collapse_whitespace(article.title) or article.id, EMBED_TITLE)
    url = safe_url(article.url)
    if url is not None:
        embed.url = url


def seconds_text(value: float) -> str:
    if value >= 60 and value % 60 == 0:
        minutes = int(value // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{value:g} s"

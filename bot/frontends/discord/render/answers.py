"""Answers on Discord: the answer embed with its marked quote and pages, and the short
messages around asking (too long, empty, cooldown)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.answers import Answer, AnswerStatus, Finding, confidence_label
from bot.frontends.discord.render.markup import (
    COLOUR_ANSWER,
    COLOUR_NOT_FOUND,
    ELLIPSIS,
    EMBED_AUTHOR,
    EMBED_DESCRIPTION,
    EMBED_FOOTER,
    MARKDOWN_SPECIALS,
    QUOTE_BUDGET,
    THREAD_NAME,
    content,
    escape_trimmed,
    fit_embed,
    safe_url,
    source_line,
    titled,
    trim,
    visible,
)
from bot.knowledge import collapse_whitespace


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
            emit(f"\\{char}" if char in MARKDOWN_SPECIALS else char, closing) for char in segment
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


def quote_block(finding: Finding, limit: int = QUOTE_BUDGET) -> str:
    """The supporting quote as a Discord quote block, matched words in bold."""
    quote = finding.quote
    inner = mark_quote(quote.text, [(start, end) for start, end in quote.highlights], limit - 4)
    return f"> “{inner}”"


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
        titled(embed, finding.article)
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


def thread_name(question: str) -> str:
    """A thread title for a question (plain text; Discord shows it literally)."""
    name = visible(question).replace("@", "@\u200b") or "Question"
    return trim(name, THREAD_NAME)


@dataclass(frozen=True, slots=True)
class AnswerReply:
    """One `Answer` as one Discord reply: either a plain message (a question that could not
    be asked) or the answer embed, with the title of the thread to open in thread mode."""

    content: str  # empty when the reply is the embed
    embed: discord.Embed | None
    thread_name: str


def answer_reply(answer: Answer) -> AnswerReply:
    """The reply for one answer: the single render call a cog makes for it."""
    title = thread_name(answer.question)
    if answer.status is AnswerStatus.INVALID_QUESTION:
        return AnswerReply(content(answer.message), None, title)
    return AnswerReply("", answer_embed(answer), title)

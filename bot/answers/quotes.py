"""The display form of a quote: collapsed whitespace, trimmed around the matched words, with
those words marked."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answers.model import SupportingQuote
from bot.knowledge import Article, KnowledgeBase, collapse_whitespace

ELLIPSIS = "…"


def _trim(text: str, highlights: list[tuple[int, int]], limit: int) -> tuple[str, int]:
    """Cut `text` to at most `limit` chars at word boundaries around the highlights.

    Returns the trimmed text and the offset of its first character in `text` (before any
    leading ellipsis), so highlight spans can be shifted.
    """
    if len(text) <= limit:
        return text, 0
    budget = limit - 2
    first, last = _densest_run(highlights, budget)
    centre = (highlights[first][0] + highlights[last][1]) // 2 if highlights else 0
    start = max(0, min(centre - budget // 2, len(text) - budget))
    end = min(len(text), start + budget)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + budget // 2 else end
    piece = text[start:end].strip()
    offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return f"{prefix}{piece.rstrip(' ,;:')}{suffix}", offset - len(prefix)


def _densest_run(highlights: Sequence[tuple[int, int]], width: int) -> tuple[int, int]:
    """(first, last) indices of the most highlights that fit in `width` characters, earliest
    on ties: a long sentence is cut around where the question's words cluster, not around
    the middle of their spread."""
    best = (0, 0)
    last = 0
    for first in range(len(highlights)):
        last = max(last, first)
        while (
            last + 1 < len(highlights) and highlights[last + 1][1] - highlights[first][0] <= width
        ):
            last += 1
        if last - first > best[1] - best[0]:
            best = (first, last)
    return best


def make_quote(
    knowledge: KnowledgeBase, article: Article, start: int, end: int, terms: set[str], limit: int
) -> SupportingQuote:
    """The display form of article.text[start:end] with the matched words marked.

    With no `terms` nothing is marked (and the text is not analysed): used for passages
    that are ranked but not shown.
    """
    display = collapse_whitespace(article.text[start:end])
    tokens = knowledge.analyzer.tokens(display) if terms else []
    highlights = [(token.start, token.end) for token in tokens if token.term in terms]
    matched = tuple(dict.fromkeys(token.term for token in tokens if token.term in terms))
    text, offset = _trim(display, highlights, limit)
    shifted = tuple(
        (hl_start - offset, hl_end - offset)
        for hl_start, hl_end in highlights
        if hl_start - offset >= 0 and hl_end - offset <= len(text)
    )
    return SupportingQuote(text, start, end, shifted, matched)

"""Passages: the retrieval unit, cut along paragraph boundaries.

Short paragraphs merge up to about `target_words`; a long paragraph splits between
sentences; a subheading belongs to the passage after it. A passage is a span of its
article's text and never copies it; its sentences are found on demand (only the few
passages that are quoted ever need them), within its quotable segments, so a subheading
or the dateline is never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.knowledge.articles import Article, ParagraphKind
from bot.text import sentence_spans

_WORD = re.compile(r"\S+")
# A paragraph this much longer than the target is split between sentences.
_SPLIT_FACTOR = 1.5


@dataclass(frozen=True, slots=True)
class Passage:
    """A span `[start, end)` of one article's text, with the quotable segments inside it.

    `segments` are the body-text spans (absolute offsets into the article text); headings
    inside the passage are searchable but not quotable.
    """

    article_id: str
    ordinal: int
    start: int
    end: int
    segments: tuple[tuple[int, int], ...]
    article_text: str

    @property
    def text(self) -> str:
        """The passage text exactly as in the article."""
        return self.article_text[self.start : self.end]

    def sentence_spans(self) -> list[tuple[int, int]]:
        """Absolute spans of the quotable sentences, in order."""
        spans: list[tuple[int, int]] = []
        for segment_start, segment_end in self.segments:
            spans.extend(sentence_spans(self.article_text, segment_start, segment_end))
        return spans

    def sentences(self) -> list[str]:
        """The quotable sentences as written."""
        return [self.article_text[start:end] for start, end in self.sentence_spans()]


@dataclass(slots=True)
class _Chunk:
    """A passage being assembled."""

    start: int
    end: int
    words: int
    segments: list[tuple[int, int]]


def count_words(text: str, start: int = 0, end: int | None = None) -> int:
    """Whitespace-separated words in text[start:end]."""
    return len(_WORD.findall(text, start, len(text) if end is None else end))


def _word_chunks(
    text: str, start: int, end: int, target_words: int
) -> Iterator[tuple[int, int, int]]:
    """Cut a run-on span with no sentence breaks at word boundaries (a last resort)."""
    words = list(_WORD.finditer(text, start, end))
    for first in range(0, len(words), target_words):
        chunk = words[first : first + target_words]
        yield chunk[0].start(), chunk[-1].end(), len(chunk)


def _split_long(
    text: str, start: int, end: int, target_words: int
) -> Iterator[tuple[int, int, int]]:
    """Split one long paragraph between sentences into pieces of about `target_words`;
    a single sentence far longer than that is cut between words."""
    limit = int(target_words * _SPLIT_FACTOR)
    piece_start: int | None = None
    piece_end = start
    words = 0
    for sentence_start, sentence_end in sentence_spans(text, start, end):
        sentence_words = count_words(text, sentence_start, sentence_end)
        if piece_start is not None and words + sentence_words > target_words:
            yield piece_start, piece_end, words
            piece_start, words = None, 0
        if sentence_words > limit:
            yield from _word_chunks(text, sentence_start, sentence_end, target_words)
            continue
        if piece_start is None:
            piece_start = sentence_start
        piece_end = sentence_end
        words += sentence_words
    if piece_start is not None:
        yield piece_start, piece_end, words


def _units(article: Article, target_words: int) -> Iterator[tuple[int, int, int, bool]]:
    """(start, end, words, is_heading) for every paragraph or piece of a long paragraph."""
    text = article.text
    limit = int(target_words * _SPLIT_FACTOR)
    for paragraph in article.paragraphs:
        words = count_words(text, paragraph.start, paragraph.end)
        if paragraph.kind is ParagraphKind.HEADING:
            yield paragraph.start, paragraph.end, words, True
        elif words > limit:
            for start, end, piece_words in _split_long(
                text, paragraph.start, paragraph.end, target_words
            ):
                yield start, end, piece_words, False
        else:
            yield paragraph.start, paragraph.end, words, False


def split_passages(article: Article, target_words: int = 120) -> list[Passage]:
    """Cut an article into passages of about `target_words` along paragraph boundaries."""
    chunks: list[_Chunk] = []
    current: _Chunk | None = None
    pending_heading: tuple[int, int, int] | None = None
    for start, end, words, is_heading in _units(article, target_words):
        if is_heading:
            if current is not None:
                chunks.append(current)
                current = None
            pending_heading = (start, end, words)
            continue
        if pending_heading is not None:
            heading_start, _, heading_words = pending_heading
            current = _Chunk(heading_start, end, heading_words + words, [(start, end)])
            pending_heading = None
            continue
        if current is not None and current.words + words <= target_words:
            current.end = end
            current.words += words
            current.segments.append((start, end))
            continue
        if current is not None:
            chunks.append(current)
        current = _Chunk(start, end, words, [(start, end)])
    if current is not None:
        chunks.append(current)
    return [
        Passage(article.id, ordinal, chunk.start, chunk.end, tuple(chunk.segments), article.text)
        for ordinal, chunk in enumerate(chunks)
    ]


def split_all(articles: Sequence[Article], target_words: int = 120) -> list[Passage]:
    """Passages of every article, in article order."""
    passages: list[Passage] = []
    for article in articles:
        passages.extend(split_passages(article, target_words))
    return passages

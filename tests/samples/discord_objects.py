"""Hand-built core values for the Discord unit tests (no knowledge base needed)."""

from __future__ import annotations

from bot.answers import Answer, AnswerStatus, Finding, SupportingQuote
from bot.knowledge import Article, Dateline, Paragraph, Passage


def make_article(
    text: str = "The mayor opened the new bridge on Monday.",
    *,
    article_id: str = "city/bridge.txt",
    title: str = "Mayor opens bridge",
    dateline: Dateline | None = None,
    source: str | None = "Gazette",
    url: str | None = "https://example.org/bridge",
    published: str | None = "2020-04-02",
) -> Article:
    """An article whose whole text is one body paragraph."""
    return Article(
        id=article_id,
        title=title,
        text=text,
        paragraphs=(Paragraph(0, len(text)),),
        source_file=f"{article_id}",
        dateline=dateline
        if dateline is not None
        else Dateline("MOSCOW, April 2 /TASS/", "MOSCOW", "April 2", "TASS"),
        source=source,
        url=url,
        published=published,
    )


def make_finding(
    article: Article, highlights: tuple[tuple[int, int], ...] = (), score: float = 3.0
) -> Finding:
    """A finding quoting the article's whole text with the given highlight spans."""
    text = article.text
    passage = Passage(article.id, 0, 0, len(text), ((0, len(text)),), text)
    quote = SupportingQuote(text, 0, len(text), highlights, ())
    return Finding(article, passage, score, 0.9, quote)


def make_answer(
    findings: list[Finding],
    *,
    status: AnswerStatus = AnswerStatus.ANSWERED,
    question: str = "Who opened the bridge?",
    message: str = "",
    confidence: float = 0.9,
) -> Answer:
    """An answer whose best finding is `findings[0]` and the rest alternatives."""
    best = findings[0] if findings else None
    return Answer(question, status, message, best, tuple(findings[1:]), confidence, 1.0)

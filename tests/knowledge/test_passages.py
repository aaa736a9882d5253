"""Passages: merging, splitting, headings, and spans that map back to the article text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge import (
    Article,
    ParagraphKind,
    analyse_layout,
    count_words,
    load_articles,
    split_passages,
)


def _article(text: str) -> Article:
    layout = analyse_layout(text, headline_first=False)
    return Article(
        id="a",
        title="t",
        text=text,
        paragraphs=layout.paragraphs,
        source_file="a.txt",
        dateline=layout.dateline,
    )


def test_default_article_passages(knowledge_dir: Path) -> None:
    (article,) = load_articles([knowledge_dir], 10**6).articles
    passages = split_passages(article, 120)
    assert len(passages) >= 3
    heading_passage = next(p for p in passages if "Assistance to Italy" in p.text)
    # The subheading opens the passage after it, and is never quoted.
    assert heading_passage.text.startswith("Assistance to Italy")
    assert all(s != "Assistance to Italy" for p in passages for s in p.sentences())
    # The dateline is never part of a quotable sentence.
    assert all("/TASS/" not in s for p in passages for s in p.sentences())
    first = [s for p in passages for s in p.sentences() if s.startswith("The Italian people")]
    assert first, "the first story sentence is quoted without its dateline prefix"


def test_short_paragraphs_merge_and_long_ones_split() -> None:
    short = "\n\n".join(f"Paragraph number {i} is short." for i in range(10))
    passages = split_passages(_article(short), 20)
    assert 2 <= len(passages) < 10
    assert all(count_words(p.text) <= 20 for p in passages)
    long_text = " ".join(f"Sentence {i} has exactly six words." for i in range(60))
    pieces = split_passages(_article(long_text), 50)
    assert len(pieces) >= 6
    assert all(count_words(p.text) <= 50 for p in pieces)
    assert [p.ordinal for p in pieces] == list(range(len(pieces)))


def test_heading_kind_detected() -> None:
    text = "First body paragraph, long enough.\n\nA Subheading\n\nBody after the subheading."
    article = _article(text)
    kinds = [p.kind for p in article.paragraphs]
    assert kinds == [ParagraphKind.BODY, ParagraphKind.HEADING, ParagraphKind.BODY]


_PIECES = [
    *"abc DEF.!?\n \"'’,-",
    "U.S.",
    "Mr.",
    "5.93",
    "\n    ",
    "Heading\n\n",
    "\n\n",
    "word ",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=200).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.integers(min_value=5, max_value=60))
def test_spans_are_exact_nonempty_and_disjoint(text: str, target: int) -> None:
    article = _article(text)
    passages = split_passages(article, target)
    previous_end = 0
    for passage in passages:
        assert passage.start >= previous_end
        assert passage.start < passage.end
        assert passage.text == text[passage.start : passage.end]
        assert passage.text.strip() == passage.text
        previous_end = passage.end
        last = passage.start
        for start, end in passage.sentence_spans():
            assert passage.start <= start < end <= passage.end
            assert start >= last
            assert text[start:end].strip()
            last = end


def test_run_on_text_without_sentence_breaks_is_cut_between_words() -> None:
    text = "word " * 5000
    passages = split_passages(_article(text.strip()), 100)
    assert len(passages) == 50
    assert all(count_words(p.text) == 100 for p in passages)
    assert all(len(p.sentence_spans()) == 1 for p in passages)

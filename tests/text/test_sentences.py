"""Tests for bot.text.sentences: hand-written news-style cases, the span contract,
real wire text."""

from __future__ import annotations

import json
import re
import time
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.text import sentence_spans

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ARTICLES = SHARED_DATA / "news" / "articles.jsonl"

# A paragraph break: a blank line, or a newline followed by indentation.
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n|\n[ \t]+\S")


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def assert_contract(
    text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None
) -> None:
    """Ordered, non-overlapping, non-empty, trimmed, inside the range, covering all of it."""
    lo, hi, _ = slice(start, end).indices(len(text))
    position = lo
    for span_start, span_end in spans:
        assert position <= span_start < span_end <= hi, (spans, lo, hi)
        assert not text[position:span_start].strip(), "non-whitespace left out of every span"
        piece = text[span_start:span_end]
        assert piece == piece.strip(), f"untrimmed span {piece!r}"
        position = span_end
    if lo < hi:
        assert not text[position:hi].strip(), "non-whitespace left after the last span"


def check(text: str, expected: list[str]) -> None:
    spans = sentence_spans(text)
    assert_contract(text, spans)
    assert [text[start:end] for start, end in spans] == expected


# --- hand-written examples, one group per difficulty ---------------------------------------

ABBREVIATIONS = [
    (
        "Exports to the U.S. rose sharply. Imports from the U.K. fell.",
        ["Exports to the U.S. rose sharply.", "Imports from the U.K. fell."],
    ),
    (
        "Mr. Lowe met Mrs. Tran and Dr. Okafor. They talked.",
        ["Mr. Lowe met Mrs. Tran and Dr. Okafor.", "They talked."],
    ),
    (
        "Gov. Ella Hart, Sen. Tom Reyes and Rep. Ann Cole backed the bill. It passed.",
        ["Gov. Ella Hart, Sen. Tom Reyes and Rep. Ann Cole backed the bill.", "It passed."],
    ),
    (
        "Gen. Paul Ward and Lt. Col. Rita Moss flew to the base. Nobody else came.",
        ["Gen. Paul Ward and Lt. Col. Rita Moss flew to the base.", "Nobody else came."],
    ),
    (
        "The vote is set for Feb. 12 and the count for Dec. 3. Both dates may slip.",
        ["The vote is set for Feb. 12 and the count for Dec. 3.", "Both dates may slip."],
    ),
    (
        "Talks ran from Jan. 4 to Sept. 30 in St. Paul. Little was agreed.",
        ["Talks ran from Jan. 4 to Sept. 30 in St. Paul.", "Little was agreed."],
    ),
    (
        "Acme Co. and Zenith Corp. said Bolt Inc. and Hale Ltd. would merge. Shares rose.",
        ["Acme Co. and Zenith Corp. said Bolt Inc. and Hale Ltd. would merge.", "Shares rose."],
    ),
    (
        "Sam Poole Jr. said the Smith vs. Jones case was over. Appeals are likely.",
        ["Sam Poole Jr. said the Smith vs. Jones case was over.", "Appeals are likely."],
    ),
    (
        "Some metals, e.g. copper, rose; the rest, i.e. zinc and tin, fell. Traders shrugged.",
        ["Some metals, e.g. copper, rose; the rest, i.e. zinc and tin, fell.", "Traders shrugged."],
    ),
    (
        "They sold chairs, lamps, rugs, etc. The warehouse is now empty.",
        ["They sold chairs, lamps, rugs, etc.", "The warehouse is now empty."],
    ),
    (
        "Pens, pencils, etc. were handed out. Nobody complained.",
        ["Pens, pencils, etc. were handed out.", "Nobody complained."],
    ),
    (
        "The fire near Rapid City, S.D. spread east. Crews from Calif. and Mass. arrived.",
        ["The fire near Rapid City, S.D. spread east.", "Crews from Calif. and Mass. arrived."],
    ),
    (
        "The plant in Albany, N.Y. Shut down on Monday. The union objected.",
        ["The plant in Albany, N.Y. Shut down on Monday.", "The union objected."],
    ),
    (
        "She is ranked No. 1 in the world. He is No. 12.",
        ["She is ranked No. 1 in the world.", "He is No. 12."],
    ),
    (
        "John F. Kennedy and George W. Bush were named. J. R. Hill was not.",
        ["John F. Kennedy and George W. Bush were named.", "J. R. Hill was not."],
    ),
    (
        "Growth slowed in the U.S. The next day stocks fell.",
        ["Growth slowed in the U.S.", "The next day stocks fell."],
    ),
    (
        "He moved to the U.K. He still works there. She left Acme Inc. But she kept her shares.",
        [
            "He moved to the U.K.",
            "He still works there.",
            "She left Acme Inc.",
            "But she kept her shares.",
        ],
    ),
    (
        "U.S. officials met U.N. envoys. Later, U.S. Treasury staff joined.",
        ["U.S. officials met U.N. envoys.", "Later, U.S. Treasury staff joined."],
    ),
    (
        "MR. DALE SAID THE U.S. TRADE GAP WIDENED. THE DOLLAR FELL.",
        ["MR. DALE SAID THE U.S. TRADE GAP WIDENED.", "THE DOLLAR FELL."],
    ),
    (
        "She kept the old Plan B. The new one failed.",
        ["She kept the old Plan B.", "The new one failed."],
    ),
]

NUMBERS = [
    (
        "Arrivals totalled 4.27 mln bags against 3.91 mln. Stocks were 1.5 pct lower.",
        ["Arrivals totalled 4.27 mln bags against 3.91 mln.", "Stocks were 1.5 pct lower."],
    ),
    (
        "The deal is worth $1.5 billion, or 2.3 times sales. Analysts approved.",
        ["The deal is worth $1.5 billion, or 2.3 times sales.", "Analysts approved."],
    ),
    (
        "Rates rose to 7.25 pct from 6.5 pct. 1988 will be harder, he said.",
        ["Rates rose to 7.25 pct from 6.5 pct.", "1988 will be harder, he said."],
    ),
    (
        "Trading opens at 9:30 a.m. and closes at 4 p.m. Friday. The exchange confirmed it.",
        ["Trading opens at 9:30 a.m. and closes at 4 p.m. Friday.", "The exchange confirmed it."],
    ),
    (
        "The meeting ends at 5 p.m. The vote follows.",
        ["The meeting ends at 5 p.m.", "The vote follows."],
    ),
    (
        "Version 2.0.1 shipped on 3.4.2024. It fixed bugs.",
        ["Version 2.0.1 shipped on 3.4.2024.", "It fixed bugs."],
    ),
]

WEB = [
    (
        "Details are at www.example.org/news.html and press@example.com. Call us.",
        ["Details are at www.example.org/news.html and press@example.com.", "Call us."],
    ),
    (
        "See https://example.net/a.b?c=d. Then reply.",
        ["See https://example.net/a.b?c=d.", "Then reply."],
    ),
]

ELLIPSES = [
    (
        "He paused ... and then went on. Everyone waited.",
        ["He paused ... and then went on.", "Everyone waited."],
    ),
    (
        "The report said sales were ... flat in March. Costs rose.",
        ["The report said sales were ... flat in March.", "Costs rose."],
    ),
    (
        "We waited for hours... The next morning the bus came.",
        ["We waited for hours...", "The next morning the bus came."],
    ),
    (
        "It was late … and cold. We left.",
        ["It was late … and cold.", "We left."],
    ),
    (
        "They tried the door . . . Nothing opened. She sighed.",
        ["They tried the door . . . Nothing opened.", "She sighed."],
    ),
]

QUOTES = [
    (
        '"We expect a better harvest," she added. Prices eased.',
        ['"We expect a better harvest," she added.', "Prices eased."],
    ),
    (
        'He said: "We will win." Then he left the hall.',
        ['He said: "We will win."', "Then he left the hall."],
    ),
    (
        '"Why?" he asked. "Because it pays!" she replied.',
        ['"Why?" he asked.', '"Because it pays!" she replied.'],
    ),
    (
        "“We are ready,” the coach said. “Are they?” he added. “No!” came the reply.",
        ["“We are ready,” the coach said.", "“Are they?” he added.", "“No!” came the reply."],
    ),
    (
        "“The plan is sound.” The minister smiled. ‘Fine,’ he said.",
        ["“The plan is sound.”", "The minister smiled.", "‘Fine,’ he said."],
    ),
    (
        "The sign read: ``Welcome home.'' Crowds cheered.",
        ["The sign read: ``Welcome home.''", "Crowds cheered."],
    ),
    (
        "``We did our best. '' The team went home.",
        ["``We did our best. ''", "The team went home."],
    ),
    (
        'The union said "the offer is final." talks collapsed anyway.',
        ['The union said "the offer is final." talks collapsed anyway.'],
    ),
    (
        'Ann said: "It hurts. We need help." Nobody came.',
        ['Ann said: "It hurts.', 'We need help."', "Nobody came."],
    ),
    (
        'The crowd shouted "No." Silence followed.',
        ['The crowd shouted "No."', "Silence followed."],
    ),
    (
        'Is it over? Not yet. What now? "Wait!" — he shouted.',
        ["Is it over?", "Not yet.", "What now?", '"Wait!" — he shouted.'],
    ),
]

BRACKETS = [
    (
        "The company (founded in 1921.) is based here. It employs 300.",
        ["The company (founded in 1921.) is based here.", "It employs 300."],
    ),
    (
        "(He resigned. The board agreed.) Then a vote followed.",
        ["(He resigned. The board agreed.)", "Then a vote followed."],
    ),
    (
        "Output fell (see table below). Prices rose [in dollar terms]. Stocks were steady.",
        ["Output fell (see table below).", "Prices rose [in dollar terms].", "Stocks were steady."],
    ),
    (
        "Sony (U.K.) Ltd said sales rose. Margins narrowed.",
        ["Sony (U.K.) Ltd said sales rose.", "Margins narrowed."],
    ),
]

WIRE_LAYOUT = [
    (
        "OSLO, March 3 - Heavy snow closed the roads\nnorth of the city, stranding trucks\n"
        "and delaying deliveries.\n    The storm is expected to ease by Friday.\n Reuter",
        [
            "OSLO, March 3 - Heavy snow closed the roads\nnorth of the city, stranding trucks\n"
            "and delaying deliveries.",
            "The storm is expected to ease by Friday.",
            "Reuter",
        ],
    ),
    (
        "Shipments were slow in the period\n    Stocks stood at 4.2 mln tonnes\n"
        "    Prices were firm\n Reuter",
        [
            "Shipments were slow in the period",
            "Stocks stood at 4.2 mln tonnes",
            "Prices were firm",
            "Reuter",
        ],
    ),
    (
        "Qtr ended March 31\n    Shr 20 cts vs 18 cts\n    Net 1.2 mln vs 1.1 mln",
        ["Qtr ended March 31", "Shr 20 cts vs 18 cts", "Net 1.2 mln vs 1.1 mln"],
    ),
    (
        "Growth was strong in the\nU.S. The dollar rose on\nthe news.",
        ["Growth was strong in the\nU.S.", "The dollar rose on\nthe news."],
    ),
    (
        "First paragraph without a stop\n\nSecond paragraph here. It ends.",
        ["First paragraph without a stop", "Second paragraph here.", "It ends."],
    ),
    (
        "Line one ends.\r\n\r\nLine two ends.\r\nstill line two.",
        ["Line one ends.", "Line two ends.\r\nstill line two."],
    ),
    (
        "Part one\u2029Part two",
        ["Part one", "Part two"],
    ),
]

HEADLINES = [
    (
        "FARM OUTPUT RISES IN SPRING\n\nFarm output rose 3 pct in the spring. Exports grew.",
        ["FARM OUTPUT RISES IN SPRING", "Farm output rose 3 pct in the spring.", "Exports grew."],
    ),
    (
        "City council backs new bridge plan\n\nThe council voted 7-2 on Tuesday.\n\n"
        "Work starts soon\n\nCrews arrive in May.",
        [
            "City council backs new bridge plan",
            "The council voted 7-2 on Tuesday.",
            "Work starts soon",
            "Crews arrive in May.",
        ],
    ),
]

LISTS = [
    (
        "The plan has steps:\n1. Survey the site.\n2. Build the road.",
        ["The plan has steps:\n1. Survey the site.", "2. Build the road."],
    ),
    (
        "Q. What did you see?\nA. There was smoke everywhere.",
        ["Q. What did you see?", "A. There was smoke everywhere."],
    ),
]

RUSSIAN = [
    (
        "Завод открыли в 2019 г. В городе появились новые рабочие места.",
        ["Завод открыли в 2019 г.", "В городе появились новые рабочие места."],
    ),
    (
        "Цены выросли, т.е. спрос остался высоким. Так считают аналитики.",
        ["Цены выросли, т.е. спрос остался высоким.", "Так считают аналитики."],
    ),
    (
        "Он живёт на ул. Садовой, д. 5. Соседи его знают.",
        ["Он живёт на ул. Садовой, д. 5.", "Соседи его знают."],
    ),
    (
        "Книгу написал А. С. Волков. Она вышла весной.",
        ["Книгу написал А. С. Волков.", "Она вышла весной."],
    ),
    (
        "«Мы готовы», — сказал министр. «Когда?» — спросили журналисты. Ответа не было.",
        ["«Мы готовы», — сказал министр.", "«Когда?» — спросили журналисты.", "Ответа не было."],
    ),
    (
        "Он сказал: «Работа завершена». Потом он уехал! Куда? Никто не знает.",
        ["Он сказал: «Работа завершена».", "Потом он уехал!", "Куда?", "Никто не знает."],
    ),
    (
        "Рост составил 2,5 млн руб. и 3.5 проц. Итоги подведут позже.",
        ["Рост составил 2,5 млн руб. и 3.5 проц.", "Итоги подведут позже."],
    ),
]

ALL_CASES = (
    ABBREVIATIONS
    + NUMBERS
    + WEB
    + ELLIPSES
    + QUOTES
    + BRACKETS
    + WIRE_LAYOUT
    + HEADLINES
    + LISTS
    + RUSSIAN
)


@pytest.mark.parametrize(("text", "expected"), ALL_CASES, ids=[c[0][:40] for c in ALL_CASES])
def test_hand_written_cases(text: str, expected: list[str]) -> None:
    check(text, expected)


def test_empty_and_blank_text_has_no_sentences() -> None:
    assert sentence_spans("") == []
    assert sentence_spans("   \n\n\t ") == []


def test_text_without_punctuation_is_one_sentence() -> None:
    assert sentences("  no punctuation at all here  ") == ["no punctuation at all here"]


def test_spans_are_absolute_offsets_within_the_range() -> None:
    text = "IGNORED. First one. Second one. IGNORED TOO."
    start = text.index("First")
    end = text.index(" IGNORED TOO")
    spans = sentence_spans(text, start, end)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one."]
    assert spans[0][0] == start


def test_range_follows_slice_semantics() -> None:
    text = "One. Two. Three."
    assert sentence_spans(text, -6) == [(10, 16)]
    assert sentence_spans(text, 5, 1_000) == [(5, 9), (10, 16)]
    assert sentence_spans(text, 9, 3) == []
    assert sentence_spans(text, 100) == []


def test_context_outside_the_range_is_ignored() -> None:
    # `Inc.` ends the range: no look beyond `end` at the next word.
    text = "They sold it to Acme Inc. Chairman Lee agreed."
    end = text.index(" Chairman")
    assert sentence_spans(text, 0, end) == [(0, end)]


def test_sentences_inside_a_long_passage_stay_small() -> None:
    text = " ".join(f"Sentence number {i} ends here." for i in range(500))
    spans = sentence_spans(text)
    assert len(spans) == 500
    assert max(e - s for s, e in spans) < 40


@pytest.mark.parametrize(
    "text",
    [
        ". " * 100_000,
        "U.S. X " * 30_000,
        "x.\tY " * 40_000,
        "(a. The " * 25_000,
        "x. " + "- " * 100_000,
        "a . . . " * 25_000,
        "\n 1. A" * 40_000,
        "“Why?” — he asked. " * 10_000,
        "x. " + "Y" * 200_000 + ". z",
    ],
    ids=[
        "dots",
        "abbrevs",
        "tabs",
        "brackets",
        "dashes",
        "spaced-ellipses",
        "lists",
        "quotes",
        "token",
    ],
)
def test_pathological_text_takes_linear_time(text: str) -> None:
    started = time.perf_counter()
    spans = sentence_spans(text)
    elapsed = time.perf_counter() - started
    assert_contract(text, spans)
    assert elapsed < 5.0, f"{len(text)} chars took {elapsed:.1f}s"


# --- property tests of the contract ---------------------------------------------------------

NEWS_PIECES = [
    *"abcXYZ .!?…\"'“”‘’«»()[]-—\n\t\r 0123456789,;:\u2029\x85",
    *["U.S.", "Mr.", "etc.", "г.", "The", "he", "\n    ", "\n\n", "''", "``", ". . ."],
]
NEWSY = st.lists(st.sampled_from(NEWS_PIECES), max_size=80).map("".join)
ANY_TEXT = st.text(max_size=300)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(NEWSY, ANY_TEXT))
@example(text="\x1c.\x1c")
@example(text="a.\u2029B.")
@example(text="x.\r\n\r\nY")
def test_contract_holds_on_any_text(text: str) -> None:
    spans = sentence_spans(text)
    assert_contract(text, spans)
    for start, end in spans:
        assert not PARAGRAPH_BREAK.search(text[start:end]), "a paragraph break inside a span"


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(NEWSY, ANY_TEXT),
    start=st.integers(min_value=-350, max_value=350),
    end=st.one_of(st.none(), st.integers(min_value=-350, max_value=350)),
)
def test_contract_holds_on_any_range(text: str, start: int, end: int | None) -> None:
    spans = sentence_spans(text, start, end)
    assert_contract(text, spans, start, end)
    lo, hi, _ = slice(start, end).indices(len(text))
    if lo < hi:  # a range is split exactly as the same text on its own would be
        assert spans == [(s + lo, e + lo) for s, e in sentence_spans(text[lo:hi])]


# --- real wire text -------------------------------------------------------------------------


@pytest.mark.shared_data
def test_real_articles_keep_the_contract_and_sensible_lengths() -> None:
    if not ARTICLES.is_file():
        pytest.skip(f"shared data not found at {ARTICLES} (only present on the team's machines)")
    with ARTICLES.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in islice(lines, 2_000)]
    assert len(texts) == 2_000
    total = 0
    for text in texts:
        spans = sentence_spans(text)
        assert_contract(text, spans)
        total += len(spans)
        for start, end in spans:
            piece = text[start:end]
            assert not PARAGRAPH_BREAK.search(piece)
            if "." in text:
                assert len(piece) <= 3_000, piece[:200]
    # Wire stories average a few hundred characters per sentence at most.
    characters = sum(len(text) for text in texts)
    assert 40 < characters / total < 400

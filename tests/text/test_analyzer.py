"""The analyzer: one example per rule, Russian and the other languages, offsets, fingerprint."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import Analyzer, Token

EN = Analyzer("english")
RU = Analyzer("russian")


def test_lowercases_and_stems() -> None:
    assert EN.terms("Exports ROSE sharply") == ["export", "rose", "sharpli"]


def test_possessives_are_dropped_with_either_apostrophe() -> None:
    assert EN.terms("Russia's") == EN.terms("Russia’s") == EN.terms("russia") == ["russia"]
    assert EN.terms("the bankers' fees") == EN.terms("banker fees")


def test_curly_quotes_are_folded_inside_words() -> None:
    assert EN.terms("O’Brien") == EN.terms("O'Brien") == EN.terms("o\u02bcbrien") == ["o'brien"]
    assert EN.terms("“Quoted” words") == ["quot", "word"]


def test_contractions_of_stop_words_are_dropped() -> None:
    assert EN.terms("Didn't he say it's done? Don’t!") == ["say", "done"]


def test_hyphenated_words_are_indexed_as_their_parts() -> None:
    assert EN.terms("coronavirus-related") == ["coronavirus", "relat"]
    assert EN.terms("coronavirus-related") == EN.terms("coronavirus related")


def test_numbers_are_kept_whole_and_unstemmed() -> None:
    assert EN.terms("It rose 5.93% in 2020, to 1,000 bags on 15 March") == [
        "rose",
        "5.93",
        "2020",
        "1000",
        "bag",
        "15",
        "march",
    ]
    assert EN.terms("155,221 bags and 1,750.5 dlrs") == ["155221", "bag", "1750.5", "dlrs"]
    assert EN.terms("the 1980s") == ["1980s"]


def test_number_then_sentence_end_keeps_the_number() -> None:
    assert EN.terms("It cost 2,400. Then 3.") == ["cost", "2400", "3"]


def test_dotted_acronyms_lose_their_dots() -> None:
    assert EN.terms("U.S. officials") == EN.terms("US officials") == ["us", "offici"]
    assert EN.terms("the U.N.") == ["un"]


def test_question_words_and_filler_are_stop_words() -> None:
    for question in (
        "Who?",
        "What",
        "When did",
        "Where does",
        "Which",
        "Why",
        "How many",
        "whom",
        "whose",
        "Did they",
        "does it",
    ):
        assert EN.terms(question) == [], question
    assert EN.terms("Who won the election in May?") == ["won", "elect", "may"]


def test_nfkc_folds_compatibility_characters() -> None:
    assert EN.terms("ﬁnance") == EN.terms("finance")
    assert EN.terms("ＡＢＣ") == ["abc"]
    assert EN.terms("cafe\u0301") == EN.terms("café")


def test_underscores_alone_are_not_terms() -> None:
    assert EN.terms("WASHINGTON _ The") == ["washington"]


def test_russian_words_stop_words_and_question_words() -> None:
    terms = RU.terms("Кто и когда подписал указ? Сколько стоит нефть в Москве́?")
    assert terms == ["подписа", "указ", "сто", "нефт", "москв"]
    for word in ("кто", "что", "где", "когда", "как", "почему", "сколько", "какой", "Какая"):
        assert RU.terms(word) == [], word


def test_russian_folds_yo_and_keeps_cyrillic_offsets() -> None:
    assert RU.terms("ёлка") == RU.terms("елка") == ["елк"]
    text = "Газпром (Москва) — цены"
    assert [text[t.start : t.end] for t in RU.tokens(text)] == ["Газпром", "Москва", "цены"]


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("german", "Wer hat wann die Wahl gewonnen?", ["wahl", "gewonn"]),
        ("french", "Qui a dit que l'homme d'État était à Paris?", ["dit", "homm", "état", "paris"]),
        ("spanish", "¿Quién ganó las elecciones en Madrid?", ["gan", "eleccion", "madr"]),
        ("italian", "Chi ha vinto le elezioni dell'anno?", ["vint", "elezion", "anno"]),
        ("portuguese", "Quem venceu as eleições em Lisboa?", ["venc", "eleiçõ", "lisbo"]),
    ],
)
def test_other_snowball_languages(language: str, question: str, expected: list[str]) -> None:
    assert Analyzer(language).terms(question) == expected


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        Analyzer("klingon")


def test_tokens_carry_terms_and_original_offsets() -> None:
    text = "Russia’s ﬁnance chief said U.S. exports fell"
    tokens = EN.tokens(text)
    assert [(text[t.start : t.end], t.term) for t in tokens] == [
        ("Russia’s", "russia"),
        ("ﬁnance", "financ"),
        ("chief", "chief"),
        ("said", "said"),
        ("U.S.", "us"),
        ("exports", "export"),
        ("fell", "fell"),
    ]
    assert tokens[0] == Token("russia", 0, 8)


def test_fingerprint_is_stable_and_language_specific() -> None:
    assert Analyzer("english").fingerprint == EN.fingerprint
    assert len(EN.fingerprint) == 16 and int(EN.fingerprint, 16) >= 0
    EN.terms("warming the memo does not change the fingerprint")
    assert Analyzer("english").fingerprint == EN.fingerprint
    languages = ("english", "russian", "german", "french", "spanish", "italian", "portuguese")
    assert len({Analyzer(language).fingerprint for language in languages}) == len(languages)


def test_fingerprint_follows_the_version_constant(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.text.analyzer

    monkeypatch.setattr(
        bot.text.analyzer, "ANALYSIS_VERSION", bot.text.analyzer.ANALYSIS_VERSION + 1
    )
    assert Analyzer("english").fingerprint != EN.fingerprint


_TEXT = st.lists(
    st.sampled_from([*"aZé ёЖ,.'’-_1590 \n\t?!ﬁＡ²", "\u0301", "\u0306", "İ", "ß", "½", "U.S."])
    | st.characters(),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_offsets_map_back_to_the_original_text(text: str) -> None:
    for analyzer in (EN, RU):
        tokens = analyzer.tokens(text)
        assert [t.term for t in tokens] == analyzer.terms(text)
        previous_end = 0
        for token in tokens:
            assert previous_end <= token.start < token.end <= len(text)
            assert token.term
            # The surface word alone analyzes to the same term: what a front end bolds matches.
            assert analyzer.terms(text[token.start : token.end]) == [token.term]
            previous_end = token.end

"""One analyzer for passages and questions alike: words → stemmed index terms.

Both sides of a BM25 match must be analyzed identically, so this is the only place that
decides what a "term" is. The rules, in order, for each word of the original text:

1. Tokenize the ORIGINAL string with one compiled regex: runs of letters/digits (combining
   marks included), joined by an inner apostrophe (``Russia's``, ``o'brien``), by ``.``/``,``
   before a digit (``5.93``, ``1,000``), or dotted single-letter acronyms (``U.S.``).
   Hyphens split: ``coronavirus-related`` is indexed as its parts (``coronavirus``,
   ``relat``), so a question that writes the words hyphenated or apart matches either way;
   the joined form is not indexed (``e-mail`` does not match ``email``) — a token never
   overlaps another, so front ends can bold each one.
2. Normalize that one word: Unicode NFKC, curly/modifier apostrophes folded to ``'``,
   casefold; for Russian ``ё`` → ``е`` and stress marks dropped. Normalizing word by word
   keeps ``Token.start``/``end`` exact even where NFKC changes lengths (``ﬁ`` → ``fi``).
3. Drop a possessive ``'s`` (``Russia’s`` → ``russia``), French/Italian elisions
   (``l'homme`` → ``homme``), the dots of acronyms (``u.s.`` → ``us``) and the thousands
   commas of numbers (``1,000`` → ``1000``; ``5.93`` and ``2020`` stay as they are).
4. Drop stop words (`bot.text.stopwords`: question words and filler included).
5. Stem with Snowball (PyStemmer); words containing a digit are kept unstemmed.

Every distinct surface word is analyzed once per `Analyzer` and memoized, which is what
makes `terms` fast enough for index builds.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from typing import NamedTuple

import Stemmer

from bot.text.stopwords import ELISIONS, STOP_WORDS

log = logging.getLogger(__name__)

# Bump whenever a rule above changes output, so stored snapshots are rebuilt.
ANALYSIS_VERSION = 1

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = rf"[\w{_MARKS}]+"
_APOSTROPHES = "'\u2019\u2018\u02bc\u2032\uff07"
_TOKEN_PATTERN = (
    rf"(?<![\w{_MARKS}])(?:[^\W\d_]\.){{2,}}"  # dotted acronym: U.S. / e.g.
    rf"|{_WORD}(?:(?:[{_APOSTROPHES}]|[.,](?=\d)){_WORD})*"
)
_TOKEN_RE = re.compile(_TOKEN_PATTERN)
_APOSTROPHE_FOLD = str.maketrans({c: "'" for c in _APOSTROPHES[1:]})
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_RUSSIAN_STRESS = str.maketrans({"ё": "е", "\u0301": None, "\u0300": None})
_MEMO_LIMIT = 2_000_000  # distinct surface words; far above any news corpus vocabulary


class Token(NamedTuple):
    """A surface word of the original text and the index term it analyzes to.

    Immutable like the other core values, but a NamedTuple: one is built for every word of
    every passage an answer reads, and a frozen dataclass costs twice as much to build.
    """

    term: str  # stemmed index term
    start: int  # char offsets into the ORIGINAL string given to `Analyzer.tokens`
    end: int


class _Memo(dict[str, str]):
    """Surface word → term ('' for a dropped word); computes on a miss, C-speed on a hit."""

    __slots__ = ("_analyzer",)

    def __init__(self, analyzer: Analyzer) -> None:
        super().__init__()
        self._analyzer = analyzer

    def __missing__(self, word: str) -> str:
        if len(self) >= _MEMO_LIMIT:
            log.info("analyzer memo reached %d words; clearing it", _MEMO_LIMIT)
            self.clear()
        term = self._analyzer._analyze_word(word)
        self[word] = term
        return term


class Analyzer:
    """Turns text into index terms (`terms`) or into terms with offsets (`tokens`)."""

    def __init__(self, language: str = "english") -> None:
        if language not in STOP_WORDS:
            raise ValueError(
                f"unsupported language {language!r}; choose one of {sorted(STOP_WORDS)}"
            )
        self.language = language
        self._stop_words = STOP_WORDS[language]
        self._elisions = ELISIONS.get(language, frozenset())
        self._stemmer = Stemmer.Stemmer(language)
        self._memo = _Memo(self)
        self._findall = _TOKEN_RE.findall
        self._fingerprint = self._compute_fingerprint()

    @property
    def fingerprint(self) -> str:
        """Changes whenever analysis output could change; snapshots keyed on it are rebuilt."""
        return self._fingerprint

    def terms(self, text: str) -> list[str]:
        """Index terms of `text`, in order, stop words removed (the indexing fast path)."""
        memo = self._memo
        return [term for term in map(memo.__getitem__, self._findall(text)) if term]

    def tokens(self, text: str) -> list[Token]:
        """Like `terms`, but each term keeps the offsets of its word in `text` (for bolding)."""
        memo = self._memo
        build = tuple.__new__  # Token(...) without its Python-level __new__: the hot path
        return [
            build(Token, (term, *match.span()))
            for match in _TOKEN_RE.finditer(text)
            if (term := memo[match.group()])
        ]

    def _analyze_word(self, word: str) -> str:
        """Normalize, filter and stem one regex token; '' when it yields no term."""
        if not word.isascii():
            word = unicodedata.normalize("NFKC", word).translate(_APOSTROPHE_FOLD)
        word = word.casefold()
        if self.language == "russian":
            word = word.translate(_RUSSIAN_STRESS)
        if "'" in word:
            word = self._strip_apostrophes(word)
        if "." in word and not any(c.isdigit() for c in word):
            word = word.replace(".", "")  # acronym U.S. → us
        word = word.strip("_")
        if not word or word in self._stop_words:
            return ""
        if any(c.isdigit() for c in word):
            if "," in word and _THOUSANDS_RE.fullmatch(word):
                word = word.replace(",", "")
            return word
        stem: str = self._stemmer.stemWord(word)
        return stem

    def _strip_apostrophes(self, word: str) -> str:
        if word.endswith("'s"):
            word = word[:-2]
        if self._elisions:
            head, _, tail = word.partition("'")
            if tail and head in self._elisions:
                word = tail
        return word

    def _compute_fingerprint(self) -> str:
        parts = [
            f"v{ANALYSIS_VERSION}",
            self.language,
            _TOKEN_PATTERN,
            unicodedata.unidata_version,
            Stemmer.version(),
            " ".join(sorted(self._stop_words)),
            " ".join(sorted(self._elisions)),
        ]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]

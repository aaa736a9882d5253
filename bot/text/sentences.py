"""Sentence spans in news text, so an answer can quote exactly one supporting sentence.

Rule-based and single-pass, because it runs over every passage at index-build time: one
compiled regex finds the candidate boundaries (terminal punctuation followed by whitespace,
blank lines, indented paragraph starts) and a small decision function judges each
punctuation candidate from the word before it and the word after it.

Wire-text conventions it follows:
- a single newline is a hard wrap, not a boundary; a blank line is always a boundary, and so
  is a newline followed by indentation (Reuters paragraphs, table rows, the `Reuter` trailer);
- an abbreviation (`U.S.`, `Inc.`, `Feb.`, `г.`) ends a sentence only when a common sentence
  starter follows it (`... the U.S. The next day`); a title (`Mr.`, `Gen.`) never does;
- `?`/`!` followed by a lowercase word (`"Why?" he asked.`) does not end the sentence, and a
  closing quote or bracket after the punctuation stays with the sentence it closes.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["sentence_spans"]

Span = tuple[int, int]


def _word_set(words: str) -> frozenset[str]:
    """A set from whitespace-separated words: the lists below read like prose."""
    return frozenset(words.split())


_BOUNDARY_RE: Final = re.compile(
    r"""
    (?=[.!?…‽\n\r\x85\u2028\u2029])          # lets the engine skip ahead to a candidate fast
    (?:
        (?P<punct>[.!?…‽]+)                   # terminal punctuation
        (?P<close>["'”’»›)\]}]*               # closing quotes / brackets stay with it,
            (?:[ \t]+(?:''|[”»›])(?=\s|\Z))?)   # even AP's spaced `win. ''`
        (?=\s|\Z)                             # a sentence end needs whitespace after it
        (?:(?=\s+                             # the next word, past dashes and opening quotes
            (?>(?:[-—–"'“‘«„‹(\[{`.…]+\s*){0,4})  # (atomic and bounded: linear time)
            (?P<next>\S*)))?
      | (?P<para>
            (?>\r\n|[\n\r\x85\u2028])[ \t\f\v]*(?>\r\n|[\n\r\x85\u2028])   # blank line
          | (?>\r\n|[\n\r\x85\u2028])(?=[ \t]+\S)                          # indented line
          | \u2029                                                          # paragraph sep.
        )
    )
    """,
    re.VERBOSE,
)

# Titles come before a name: never a sentence end.
_TITLES: Final = _word_set(
    """Mr Mrs Ms Messrs Mmes Mme Mlle Dr Drs Prof Gov Govs Sen Sens Rep Reps Gen Gens Lt Col
    Capt Cpt Sgt Maj Adm Cmdr Cdr Brig Rev Hon Pres Supt Det Insp Amb Atty Msgr Pvt Cpl"""
)
# Written before anything at all: never a sentence end.
_NEVER_FINAL: Final = _word_set("vs v cf viz e.g i.e eg ie approx incl")
# Abbreviations that end a sentence only when a common sentence starter follows.
_ABBREVIATIONS: Final = _word_set(
    """Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Thurs Fri Sat
    Co Cos Corp Inc Ltd Bros Jr Sr St Ste Mt Ft Ave Blvd Rd Sq Dept Univ Assn Assoc Inst Intl
    Natl Govt No Nos Nr Vol Vols Fig Art Ch Est Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind
    Kan Kans Ky La Md Mass Mich Minn Miss Mo Mont Neb Nebr Nev Okla Ore Pa Penn Tenn Tex Va Vt
    Wash Wis Wisc Wyo Ont Que Alta Sask Man etc al ca est
    г гг ул д стр руб тыс млн млрд коп см напр проф акад ген св др пр им ок кв пос обл р ст
    чел экз вв тел"""
)
# Abbreviations that are virtually always followed by a number.
_NUMBER_ABBREVIATIONS: Final = _word_set(
    "no nos nr vol vols fig figs art p pp ch sec para tel ext op"
)
# Words that commonly start a sentence: after an abbreviation they signal a boundary. Words
# that often continue one (`And`, `To`, `Officials`) are left out: Reuters-21578 capitalises
# the word after `U.S.` mid-sentence (`U.S. And Canadian banks`, `U.S. Officials said`).
_STARTERS: Final = _word_set(
    """The A An This These Those There Here Then Thus Now He She It They We I You His Her Its
    Their Our My Your But Yet So In After Before During Despite Although Though While When
    Where What Who Which Why How If Also However Meanwhile Moreover Furthermore Nevertheless
    Nonetheless Still Instead Indeed Today Yesterday Tomorrow Earlier Later Overall
    Separately Similarly Elsewhere Otherwise
    В Во На По Он Она Оно Они Мы Я Вы Это Этот Эта Эти Но А И Как Однако Кроме При После До
    Для Так Там Тогда Теперь Сейчас Также Если Когда Хотя Что Кто Где Все Всё Его Ее Её Их
    Из С Со К У О Об За Между Например Впрочем Ранее Позже Затем"""
)
_DOTTED_ABBREVIATION_RE: Final = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_SPACED_DOT_RE: Final = re.compile(r"[ \t]+\.")
_LEADING_WORD_RE: Final = re.compile(r"[^\W\d_]*")
_OPENERS: Final = "\"'“‘«„‹([{`"
_TOKEN_WINDOW: Final = 64  # how far back to look for the token before a full stop
_MAX_ASIDE: Final = 600  # longest bracketed aside kept together, in characters
_QUOTES: Final = frozenset("\"'”’»›")
_CLOSERS: Final = "\"'”’»›)]}"


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans (absolute offsets into `text`) within text[start:end].

    Spans are in order, non-overlapping, non-empty and trimmed of whitespace, and together
    they cover every non-whitespace character of text[start:end] exactly once. `start` and
    `end` follow slice semantics (negative values count from the end; out of range clamps).
    """
    start, end, _ = slice(start, end).indices(len(text))
    if start >= end:
        return []
    part = text[start:end]
    spans: list[Span] = []
    last_cut = 0
    for match in _BOUNDARY_RE.finditer(part):
        if match.group("para") is not None:
            cut = match.start()
        elif _ends_sentence(part, match, last_cut):
            cut = match.end()
        else:
            continue
        _append_trimmed(spans, part, last_cut, cut, start)
        last_cut = cut
    _append_trimmed(spans, part, last_cut, len(part), start)
    return spans


def _append_trimmed(spans: list[Span], part: str, lo: int, hi: int, offset: int) -> None:
    """Add part[lo:hi] without its surrounding whitespace, unless nothing is left."""
    chunk = part[lo:hi]
    stripped = chunk.lstrip()
    if not stripped:
        return
    lo += len(chunk) - len(stripped)
    hi = lo + len(stripped.rstrip())
    spans.append((lo + offset, hi + offset))


def _ends_sentence(part: str, match: re.Match[str], last_cut: int) -> bool:
    """Judge one punctuation candidate: does a sentence end right after it?"""
    following = match.group("next")
    if not following:  # end of text, or only dashes / quotes follow
        return True
    if following[0].islower():  # `"Why?" he asked`, `U.S. officials`, `... and then`
        return False
    punct = match.group("punct")
    token = _token_before(part, match.start())
    word = token.lstrip(_OPENERS).rstrip(_CLOSERS)
    if punct == "." and not word and not match.group("close"):  # a lone dot: `. . .`?
        if _SPACED_DOT_RE.match(part, match.end()):
            return False
        if part.endswith(". ", 0, match.start()):
            punct = "..."
    if "?" in punct or "!" in punct or "‽" in punct:
        ends = True
    elif punct != ".":  # an ellipsis ends a sentence only before a clear sentence starter
        ends = bool(word or match.group("close")) and _is_starter(following)
    elif _QUOTES.intersection(match.group("close")):  # `... said "No." Silence followed.`
        ends = True
    else:
        token_start = match.start() - len(token)
        ends = _full_stop_ends_sentence(word, following, part, token_start, last_cut)
    return ends and not _inside_brackets(part, last_cut, match.end())


def _token_before(part: str, position: int) -> str:
    """The whitespace-delimited token that ends at `position` (`U.S` before its last dot)."""
    lo = max(0, position - _TOKEN_WINDOW)  # a longer token is no abbreviation anyway
    token = part[
        max(part.rfind(" ", lo, position), part.rfind("\n", lo, position), lo - 1) + 1 : position
    ]
    if not token.isprintable():  # a tab or another whitespace character inside it
        pieces = token.split()
        token = pieces[-1] if pieces and not token[-1].isspace() else ""
    return token


def _full_stop_ends_sentence(
    word: str, following: str, part: str, token_start: int, last_cut: int
) -> bool:
    """A single full stop after `word` (which starts at `token_start` in `part`), followed by
    something that is not a lowercase word."""
    key = word.rstrip(".")
    title_case = key.capitalize() if key.isupper() else key  # `MR.` in all-caps wire copy
    if title_case in _TITLES or key.lower() in _NEVER_FINAL:
        return False
    if key.isdigit() and len(key) <= 2 and _starts_line(part, token_start, last_cut):
        return False  # `1.` numbering a list item
    if following[0].isdigit():  # `No. 1`, `Feb. 26`, but `... rose 5 pct. 1986 sales`
        return not (key.lower() in _NUMBER_ABBREVIATIONS or _is_abbreviation(key, title_case))
    if key.lower() == "etc":  # mid-sentence `etc.` is followed by lowercase or a comma
        return True
    if len(key) == 1 and key.isalpha():  # an initial (`John F. Kennedy`) or `Q.` heading a line
        return (
            _is_starter(following)
            and not _is_initial(following)
            and not _starts_line(part, token_start, last_cut)
        )
    if _is_abbreviation(key, title_case):
        return _is_starter(following)
    return True


def _is_abbreviation(key: str, title_case: str) -> bool:
    """`Inc`, `CALIF`, `U.S`, `т.е`: the token before the full stop is an abbreviation."""
    return title_case in _ABBREVIATIONS or _DOTTED_ABBREVIATION_RE.fullmatch(key) is not None


def _is_starter(following: str) -> bool:
    """Does the next token begin with a word that commonly starts a sentence (`The`, `However,`)?"""
    match = _LEADING_WORD_RE.match(following)
    word = match.group() if match else ""
    return word in _STARTERS or (word.isupper() and word.capitalize() in _STARTERS)


def _is_initial(following: str) -> bool:
    """Is the next token itself an initial (`A.` in `F. A. Hayek`)?"""
    return len(following) >= 2 and following[0].isalpha() and following[1] == "."


def _starts_line(part: str, position: int, last_cut: int) -> bool:
    """Is `position` the first token on its line or in its sentence (`1.` items, `Q.` in Q&A)?"""
    lo = max(last_cut, position - _TOKEN_WINDOW)
    before = part[lo:position]
    newline = before.rfind("\n")
    if newline >= 0:
        return not before[newline + 1 :].strip()
    return lo == last_cut and not before.strip()


def _inside_brackets(part: str, last_cut: int, position: int) -> bool:
    """Keep a short bracketed aside `(He resigned. The board agreed.)` in one sentence."""
    if position - last_cut > _MAX_ASIDE:
        return False
    segment = part[last_cut:position]
    depth = segment.count("(") + segment.count("[") - segment.count(")") - segment.count("]")
    if depth <= 0:
        return False
    ahead = part[position : position + _MAX_ASIDE // 2]
    return ")" in ahead or "]" in ahead

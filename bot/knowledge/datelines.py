"""Datelines: finding `MOSCOW, April 2./TASS/.` at the start of a story and parsing it.

The dateline is metadata, not quotable text: `find_dateline` returns where the story proper
begins so the first sentence can be quoted without its dateline prefix.

Only the start of the text is examined (`_WINDOW` characters), with anchored, precompiled
patterns, one per wire style, tried from the most to the least explicit marker:

* agency in brackets: `WASHINGTON (Reuters) -`, `BEIJING, April 25 (Xinhua)--`, `(Reuters) -`,
  `MOSCOW. Oct 5 (Interfax) -`; it may follow a Reuters editor's note and byline
  (`(Corrects ...) By A Writer NEW YORK (Reuters) -`), an AP byline (`By A WRITER    BOSTON (AP)
  --`) or a credit (`Canadian Press - TORONTO (AP) -`), which are then left out of the dateline;
* agency between slashes (TASS): `MOSCOW, April 2./TASS/.`;
* a bare agency: `AP -`, `Reuters -`;
* place and date with a dash: `SALVADOR, Feb 26 -`, `OKLAHOMA CITY, Okla. March 11, Reuter -`;
* a lone upper-case place with a separator: `WASHINGTON _`, `LOS ANGELES --`, `TOKYO -`.

Russian-language wire datelines (TASS, RIA Novosti and Interfax publish in both languages) are
tried only when the text starts with a Cyrillic letter and names one of those agencies early on:

* TASS: `МОСКВА, 2 апреля. /ТАСС/.`, `ИГОРА /Ленинградская область/, 26 декабря. /ТАСС/.`,
  `ВАШИНГТОН, 2 апреля. /Корр. ТАСС Иван Петров/.`, the Soviet-era `МОСКВА, 2 апреля. (ТАСС).`;
* RIA Novosti: `МОСКВА, 2 апр — РИА Новости.`, optionally `, Имя Фамилия` before the dot;
* Interfax: `МОСКВА. 5 октября. ИНТЕРФАКС -`, `Москва. 5 окт. INTERFAX.RU -`;
* Reuters in Russian: `МОСКВА, 2 апреля (Рейтер) -`.

The place must be at most three capitalised words and be followed by `,` or `.` and the date
(genitive month names and their abbreviations: `2 апреля`, `2 апр`, `9 мая`, `5 сент`); RIA and
Interfax datelines need the date. The agency is normalised to its Latin name (`ТАСС` → `TASS`),
so `display` is uniform across languages and agrees with `agency` (`МОСКВА, 2 апреля /TASS/`),
as it already does for `(Xinhuanet)` → `(Xinhua) --`; `as_written` keeps the original spelling. A
dot after a Russian date is a separator, not part of the date (`5 окт.` → `5 окт`).

Agencies are recognised only from a known list (`_AGENCIES`), so `(Hebei)` or `(Undated)` is
never an agency. A lone place is the weakest signal: it must be in capitals, at most four words,
and be followed by story text (not a date or number, not an all-caps line, at least two
lower-case words early on); this keeps all-caps headline texts such as
`N.Y METAL SPOTS NOON - APRIL 7` or `CORRECTION - STEEL MAKER EARNINGS` from being read as
datelines. `parse_dateline` is lenient instead: front matter holds nothing but the dateline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dateline:
    """A story's dateline: the text exactly as written plus its parsed parts."""

    as_written: str
    place: str | None = None
    date: str | None = None
    agency: str | None = None

    @property
    def display(self) -> str:
        """A clean form in the agency's own convention: `MOSCOW, April 2 /TASS/`,
        `SYDNEY (Reuters) -`, `SPRINGFIELD, May 3 (AP) —` (the parsed parts are unchanged)."""
        head = ", ".join(part for part in (self.place, self.date) if part)
        if self.agency:
            credit = agency_credit(self.agency)
            return f"{head} {credit}" if head else credit
        return head or self.as_written.strip()


# How each agency credits itself after the place and date, as its own wire copy does; any
# other agency gets its name in parentheses, the most common form.
_CREDIT_STYLES: dict[str, str] = {
    "TASS": "/{}/",
    "Reuters": "({}) -",
    "AP": "({}) —",
    "AFP": "({}) -",
    "Xinhua": "({}) --",
    "UPI": "({}) --",
    "dpa": "({}) -",
    "Interfax": "({}) -",
    "ANSA": "({}) -",
    "EFE": "({}) -",
    "PTI": "({})",
    "Kyodo": "({})",
    "Yonhap": "({})",
}


def agency_credit(agency: str) -> str:
    """`agency` credited the way it writes itself: `/TASS/`, `(Reuters) -`, `(AP) —`."""
    return _CREDIT_STYLES.get(agency, "({})").format(agency)


@dataclass(frozen=True, slots=True)
class DatelineMatch:
    """A dateline found in a text: `text[start:end] == dateline.as_written`; `body_start` is where
    the quotable story text begins (after the dateline and its trailing separators/spaces)."""

    dateline: Dateline
    start: int
    end: int
    body_start: int


# Canonical agency names, keyed by the lower-cased spelling found in datelines.
_AGENCIES: dict[str, str] = {
    "reuters": "Reuters",
    "reuter": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "afp": "AFP",
    "xinhua": "Xinhua",
    "xinhuanet": "Xinhua",
    "xinhua news agency": "Xinhua",
    "tass": "TASS",
    "itar-tass": "TASS",
    "interfax": "Interfax",
    "upi": "UPI",
    "ria novosti": "RIA Novosti",
    "ria": "RIA Novosti",
    "dpa": "dpa",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "yonhap": "Yonhap",
    "jiji": "Jiji",
    "ansa": "ANSA",
    "efe": "EFE",
    "pti": "PTI",
    "ians": "IANS",
    "aap": "AAP",
    "cp": "CP",
    "bernama": "Bernama",
    "antara": "Antara",
    "anadolu": "Anadolu",
    "irna": "IRNA",
    "kuna": "KUNA",
    "wam": "WAM",
    "mena": "MENA",
    "pap": "PAP",
    "ctk": "CTK",
    "mti": "MTI",
    "bta": "BTA",
    "lusa": "Lusa",
    "belga": "Belga",
    "anp": "ANP",
    "tanjug": "Tanjug",
    "ukrinform": "Ukrinform",
    "unian": "UNIAN",
    "belta": "BelTA",
    "sputnik": "Sputnik",
    "prensa latina": "Prensa Latina",
    "notimex": "Notimex",
    "cna": "CNA",
    "bloomberg": "Bloomberg",
}

# Only this many characters after the leading whitespace are examined (an editor's note and a
# byline in front of the dateline can take ~200 characters on their own).
_WINDOW = 320
# Without an editor's note or byline, a dateline's marks (`/TASS/`, ` -`) come within this many.
_HINT = 160

# -- building blocks ---------------------------------------------------------------------------
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_PREFIXES = frozenset(n[:k] for n in _MONTH_NAMES for k in range(3, len(n) + 1))
_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# A day of the month; `2O` and `l` are wire typos for 20 and 1.
_DAY = r"(?:[0-3]?[0-9]|[1-3]O|l)(?![\w])"
_DATE = rf"(?:{_MONTH}\.?,?[ \t]*{_DAY}|[0-3]?[0-9][ \t]+{_MONTH}\.?(?![\w]))"
# After a place and before a dash the date may be mistyped (`Narch 2`, `Macrh 31`, `March 119`):
# any short word is accepted here and checked by `_is_month`.
_LOOSE_DATE = (
    rf"(?:(?P<month>[A-Za-z]{{3,9}})\.?,?[ \t]*(?:[1-3][0-9]{{2}}(?![\w])|{_DAY})"
    rf"|[0-3]?[0-9][ \t]+{_MONTH}\.?(?![\w]))"
)
# A word of a place name: letters plus `.'&-` (S.D., AL-FASHER, O'HARE), never split mid-word.
_WORD = r"[^\W\d_][^\W\d_.'’&-]*(?:[.'’&-]+[^\W\d_]+)*\.?(?![\w'’&-])"
_CITY = rf"{_WORD}(?:[ \t]+{_WORD}){{0,4}}"
_CITIES = rf"{_CITY}(?:[ \t]*/[ \t]*{_CITY}){{0,2}}"  # LONDON/NEW YORK
_COMMA = r"[ \t]?,[ \t]*"
_REGION = rf"(?:the[ \t]+)?{_CITIES}"
# Place: city, optional `/Leningrad Region/` or `(Hebei)`, then up to three `, Region` parts.
_PLACE_FULL = (
    rf"(?!By[ \t]){_CITIES}"
    rf"(?:[ \t]+/[^/\n]{{1,40}}/(?={_COMMA}))?(?:[ \t]+\([^()\n]{{1,30}}\)(?={_COMMA}))?"
    rf"(?:{_COMMA}{_REGION}){{0,3}}"
)
_PLACE_PLAIN = rf"{_CITIES}(?:{_COMMA}{_REGION}){{0,3}}"
_PSEP = r"[ \t]?[,.]{0,2}[ \t]*"  # between place and date: `, ` `. ` ` , ` `,.` or a space
_DASH = r"(?:-{1,3}|_|—|–)"
# Any known agency name, longest first, any case, any spacing (`Xinhuanet`, `RIA Novosti`).
_AGENCY_NAME = "(?i:{})".format(
    "|".join(
        re.escape(name).replace(r"\ ", r"[ \t]+")
        for name in sorted(_AGENCIES, key=len, reverse=True)
    )
)

# In front of a bracketed-agency dateline: a Reuters editor's note, `(Corrects ... story)`; a
# byline, `By A Writer and B Writer` or AP's `By A WRITER` followed by several spaces; a credit,
# `Canadian Press - `.
_NOTE = (
    r"\(\(?(?=[^()\n]{0,250}?(?i:correct|refile|version|update|story|item|repeat))"
    r"[^()\n]{1,250}\)\)?[ \t]+"
)
_NAME_WORD = r"(?:[A-Z](?:['’][A-Z])?[a-z][A-Za-z'’-]*|[A-Z]\.)"
_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,3}}"
_BYLINE = (
    rf"By[ \t]+(?:{_NAME}(?:,?[ \t]+and[ \t]+{_NAME})*[ \t]+|[A-Z][A-Z.'’ -]{{1,40}}?[ \t]{{2,}})"
)
_CREDIT = r"(?:Canadian Press|Associated Press|AP|Reuters|AFP)[ \t]+-{1,2}[ \t]+"

_AGENCY_PAREN_RE = re.compile(
    rf"(?:{_NOTE})?(?:{_BYLINE})?(?:{_CREDIT})?(?P<dl>"
    rf"(?P<place>{_PLACE_FULL})?(?:(?P<psep>{_PSEP})(?P<date>{_DATE}))?"
    rf"[ \t]*\([ \t]*(?P<agency>{_AGENCY_NAME})?[ \t]*\)(?:[ \t]*{_DASH}|(?=[ \t]*(?:\n|$))))"
)
_AGENCY_SLASH_RE = re.compile(
    rf"(?P<dl>"
    rf"(?P<place>{_PLACE_FULL})(?:(?P<psep>{_PSEP})(?P<date>{_DATE}))?\.?"
    rf"[ \t]*/(?P<agency>{_AGENCY_NAME})/\.?(?:[ \t]*{_DASH}(?=\s|$))?)"
)
_BARE_AGENCY_RE = re.compile(
    r"(?P<dl>(?P<agency>AP|Reuters?|AFP|UPI|Xinhua|Xinhuanet|Interfax|TASS"
    rf"|Kyodo|Yonhap|dpa|DPA|ANSA|EFE)[ \t]*{_DASH})(?=\s|$)"
)
_DATE_DASH_RE = re.compile(
    r"(?P<dl>(?P<junk>\*{2,}[ \t]*|RPT[ \t]*-*[ \t]*|[0-9a-z][ \t]+(?=[A-Z]{2}))?"
    rf"(?P<place>{_PLACE_FULL})(?P<psep>[ \t]?,?[ \t]*-[ \t]+|{_PSEP})(?P<date>{_LOOSE_DATE})"
    rf"(?:,[ \t]*(?P<agency>Reuters?))?,?[ \t]*{_DASH})(?=\s|$)"
)
_PLACE_ONLY_RE = re.compile(rf"(?P<dl>(?P<place>{_PLACE_PLAIN}),?[ \t]+{_DASH})(?=\s|$)")
_SPACES_RE = re.compile(r"[\s\ufeff]*")
# What may not follow a lone place: a date, a number or a bracket (headline texts, tables).
_NOT_A_SENTENCE_RE = re.compile(rf"(?:{_DATE}|[\d(])")
_LOWER_WORD_RE = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")
_DASH_HINT_RE = re.compile(r"[-_—–]")

_LENIENT_RE = re.compile(
    rf"(?P<place>{_PLACE_FULL})?(?:(?P<psep>{_PSEP})(?P<date>{_DATE}))?\.?"
    rf"(?:[ \t]*[(/][ \t]*(?P<agency>{_AGENCY_NAME})[ \t]*[)/]\.?)?(?:[ \t]*{_DASH})?"
)

# -- Russian-language datelines ----------------------------------------------------------------
# Cyrillic spellings of agencies, for front matter such as `МОСКВА, 2 апреля /ТАСС/`.
_RU_AGENCIES: dict[str, str] = {
    "тасс": "TASS",
    "итар-тасс": "TASS",
    "риа новости": "RIA Novosti",
    "интерфакс": "Interfax",
    "interfax.ru": "Interfax",
    "рейтер": "Reuters",
}
_RU_AGENCY_NAME = "(?i:{})".format(
    "|".join(
        re.escape(name).replace(r"\ ", r"[ \t]+")
        for name in sorted(_RU_AGENCIES, key=len, reverse=True)
    )
)
# Genitive month names and the abbreviations wires use (RIA: `2 апр`, `9 мая`, `5 сен`).
_RU_MONTH = (
    r"(?i:янв(?:аря)?|фев(?:р(?:аля)?)?|мар(?:та)?|апр(?:еля)?|мая|июня?|июля?|авг(?:уста)?"
    r"|сен(?:т(?:ября)?)?|окт(?:ября)?|ноя(?:б(?:ря)?)?|дек(?:абря)?)(?![\w])"
)
_RU_DATE = rf"(?:[12][0-9]|3[01]|0?[1-9])[ \t]+{_RU_MONTH}"  # days 1-31
# `/Корр. ТАСС Иван Петров/`, `/Спец. корр. ИТАР-ТАСС/`.
_RU_CORR = r"(?:[Сс](?:пец|об)\.?[ \t]*)?[Кк]орр\.?[ \t]*"
_RU_TASS = rf"(?:{_RU_CORR}(?:ИТАР-)?ТАСС(?:[ \t]+[^/()\n]{{1,60}})?|(?:ИТАР-)?(?:ТАСС|TASS))"
_RU_CAP_WORD = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_RU_NAME = rf"{_RU_CAP_WORD}(?:[ \t]+{_RU_CAP_WORD}){{1,2}}"
_RU_NAMES = rf"{_RU_NAME}(?:(?:,[ \t]*|[ \t]+и[ \t]+){_RU_NAME}){{0,2}}"
_RU_DATELINE_RE = re.compile(
    rf"(?P<dl>(?P<place>{_PLACE_FULL})(?:(?P<psep>[ \t]?[,.][ \t]*)(?P<date>{_RU_DATE}))?\.?(?:"
    # TASS: `. /ТАСС/.`, `./Корр. ТАСС Иван Петров/.`, `. (ТАСС).`
    rf"[ \t]*[/(][ \t]*(?P<tass>{_RU_TASS})[ \t]*[/)]\.?(?:[ \t]*{_DASH}(?=\s|$))?"
    # Reuters: ` (Рейтер) -`
    rf"|[ \t]*\([ \t]*(?P<reuters>Рейтер)[ \t]*\)[ \t]*{_DASH}(?=\s|$)"
    # RIA Novosti: ` — РИА Новости.`, ` - РИА Новости, Анна Петрова.`, ` — РИА Новости Крым.`
    rf"|[ \t]*{_DASH}[ \t]*(?P<ria>РИА[ \t]+Новости)(?:[ \t]+[А-ЯЁ][а-яё]+)?"
    rf"(?:,[ \t]*{_RU_NAMES})?(?:\.|(?=[ \t]*(?:\n|$)))"
    # Interfax: `. ИНТЕРФАКС -`, `. INTERFAX.RU -`, `. Интерфакс-Украина -`
    rf"|[ \t]*(?P<ifx>(?i:интерфакс|interfax)(?i:\.ru|-[^\W\d_]+)?)[ \t]*{_DASH}(?=\s|$)"
    r"))"
)
# Any of these in the first `_HINT` characters (upper-cased) may start a Russian dateline.
_RU_MARKERS = ("ТАСС", "TASS", "РИА", "ИНТЕРФАКС", "INTERFAX", "РЕЙТЕР")
_RU_LENIENT_RE = re.compile(
    rf"(?P<place>{_PLACE_FULL})?(?:(?P<psep>{_PSEP})(?P<date>{_RU_DATE}))?\.?"
    rf"(?:[ \t]*[(/][ \t]*(?P<agency>{_AGENCY_NAME}|{_RU_AGENCY_NAME})[ \t]*[)/]\.?)?"
    rf"(?:[ \t]*{_DASH})?"
)


def _agency(raw: str | None) -> str | None:
    """The canonical name of a known agency, else None."""
    if raw is None:
        return None
    key = " ".join(raw.split()).lower()
    return _AGENCIES.get(key) or _RU_AGENCIES.get(key)


def _within_one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` with at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _is_month(word: str | None) -> bool:
    """A month name, an abbreviation of one (`Apri`), or a one-letter typo of one (`Macrh`)."""
    if word is None:
        return True
    lower = word.lower()
    return lower in _MONTH_PREFIXES or (
        len(lower) >= 3 and any(_within_one_edit(lower, name) for name in _MONTH_NAMES)
    )


def _clean_place(place: str | None, psep: str | None, junk: str | None = None) -> str | None:
    """Drop wire debris and a separator dot read into the place (`MOSCOW. Oct 5`); keep
    abbreviations (`S.D.`)."""
    if not place:
        return None
    place = place.strip()
    if junk and place.startswith(junk):
        place = place[len(junk) :].strip()
    if place.endswith(".") and psep is not None and "," not in psep:
        last = place.rsplit(maxsplit=1)[-1][:-1]
        if len(last) >= 4 and last.isalpha() and last.isupper():
            place = place[:-1]
    return place or None


def _build(m: re.Match[str], text: str, agency: str | None) -> DatelineMatch:
    """A DatelineMatch from a pattern match (groups `dl`, `place` and optionally `psep`, `date`,
    `junk`)."""
    groups = m.groupdict()
    start, end = m.span("dl")
    spaces = _SPACES_RE.match(text, end)
    dateline = Dateline(
        as_written=text[start:end],
        place=_clean_place(groups.get("place"), groups.get("psep"), groups.get("junk")),
        date=groups.get("date"),
        agency=agency,
    )
    return DatelineMatch(
        dateline=dateline, start=start, end=end, body_start=spaces.end() if spaces else end
    )


def _is_story_sentence(window: str, pos: int) -> bool:
    """Whether the text at `pos` reads like story text: it does not start with a date or number,
    its first line is not all capitals and its first 80 characters have at least two lower-case
    words (an all-caps headline line or a table fails)."""
    if _NOT_A_SENTENCE_RE.match(window, pos):
        return False
    line_end = window.find("\n", pos, pos + 80)
    if line_end >= 0 and not any(ch.islower() for ch in window[pos:line_end]):
        return False
    return len(_LOWER_WORD_RE.findall(window, pos, pos + 80)) >= 2


def _is_cyrillic(char: str) -> bool:
    """The cheap gate for the Russian patterns: English texts never start with Cyrillic."""
    return "\u0400" <= char <= "\u04ff"


def _find_russian(window: str) -> DatelineMatch | None:
    """A Russian wire dateline (TASS, RIA Novosti, Interfax, Reuters) at the start of `window`,
    which starts with a Cyrillic letter; run only when an agency is named near the start."""
    head = window[:_HINT].upper()
    if not any(marker in head for marker in _RU_MARKERS):
        return None
    m = _RU_DATELINE_RE.match(window)
    if m is None:
        return None
    # A city of at most three capitalised words (`НИЖНИЙ НОВГОРОД`, `Ростов-на-Дону`), not a
    # sentence such as `Москва заявила, что 2 апреля - РИА Новости.`.
    city = re.split(r"[,/(]", m.group("place"), maxsplit=1)[0].split()
    if not 1 <= len(city) <= 3 or not all(word[0].isupper() for word in city):
        return None
    if m.group("tass"):
        agency = "TASS"
    elif m.group("reuters"):
        agency = "Reuters"
    elif m.group("date") is None:  # RIA and Interfax always date their datelines
        return None
    else:
        agency = "RIA Novosti" if m.group("ria") else "Interfax"
    found = _build(m, window, agency)
    place = found.dateline.place
    # `МОСКВА. /ТАСС/.`: a separator dot read into the place.
    if place is not None and place.endswith(".") and len(place.rsplit(maxsplit=1)[-1]) > 3:
        dateline = Dateline(found.dateline.as_written, place[:-1], found.dateline.date, agency)
        return DatelineMatch(dateline, found.start, found.end, found.body_start)
    return found


def _find_in_window(window: str) -> DatelineMatch | None:
    """Try each style's pattern on the window, strongest marker first; cheap substring checks
    skip the patterns whose marker is absent (most texts need one or two pattern runs)."""
    if window and _is_cyrillic(window[0]):
        found = _find_russian(window)
        if found is not None:
            return found
    head = window[:_HINT]
    if "(" in window:
        m = _AGENCY_PAREN_RE.match(window)
        if m is not None:
            if m.group("agency") is not None:
                return _build(m, window, _agency(m.group("agency")))
            # `WASHINGTON () -`: the agency name was lost; place, brackets and dash remain.
            if m.group("place") and m.group("dl").endswith(("-", "_", "—", "–")):
                return _build(m, window, None)

    if "/" in head:
        m = _AGENCY_SLASH_RE.match(window)
        if m is not None:
            return _build(m, window, _agency(m.group("agency")))

    if not _DASH_HINT_RE.search(head):
        return None

    m = _BARE_AGENCY_RE.match(window)
    if m is not None:
        return _build(m, window, _agency(m.group("agency")))

    m = _DATE_DASH_RE.match(window)
    if m is not None and _is_month(m.group("month")):
        place = m.group("place")
        # `KANSAS CITY, Mo. - March 13 -`: a dash before the date only after a `, Region`.
        if "-" not in m.group("psep") or "," in place:
            return _build(m, window, _agency(m.group("agency")))

    m = _PLACE_ONLY_RE.match(window)
    if m is not None:
        city = re.split(r"[,/]", m.group("place"), maxsplit=1)[0]
        found = _build(m, window, None)
        if (
            city.isupper()
            and len(city.split()) <= 4
            and _is_story_sentence(window, found.body_start)
        ):
            return found
    return None


def find_dateline(text: str) -> DatelineMatch | None:
    """Find the dateline at the very start of `text` (leading whitespace allowed), else None."""
    lead = _SPACES_RE.match(text)
    offset = lead.end() if lead else 0
    found = _find_in_window(text[offset : offset + _WINDOW])
    if found is None or offset == 0:
        return found
    return DatelineMatch(
        dateline=found.dateline,
        start=found.start + offset,
        end=found.end + offset,
        body_start=found.body_start + offset,
    )


def parse_dateline(as_written: str) -> Dateline:
    """Parse a dateline given on its own (front matter, JSON field); never fails.

    Unlike `find_dateline`, no separator or following story text is needed (`WASHINGTON`,
    `MOSCOW, April 2 /TASS/`); a string that does not look like a dateline keeps only
    `as_written`."""
    text = as_written.strip()
    match = find_dateline(text)
    if match is not None and match.start == 0 and match.end == len(text):
        return match.dateline
    lenient = _LENIENT_RE.fullmatch(text) or _RU_LENIENT_RE.fullmatch(text)
    if lenient is not None and text:
        return Dateline(
            as_written=text,
            place=_clean_place(lenient.group("place"), lenient.group("psep")),
            date=lenient.group("date"),
            agency=_agency(lenient.group("agency")),
        )
    return Dateline(as_written=text)

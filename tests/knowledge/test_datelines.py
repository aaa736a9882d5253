"""Tests for bot.knowledge.datelines: every wire style, negatives, display forms, offsets,
front matter."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge import Dateline, find_dateline, parse_dateline

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"

# (story start, dateline as written, place, date, agency, display) — hand-written samples.
STYLES = [
    # TASS
    (
        "MOSCOW, April 2./TASS/. The ministry thanked its partners on Thursday.",
        "MOSCOW, April 2./TASS/.",
        "MOSCOW",
        "April 2",
        "TASS",
        "MOSCOW, April 2 /TASS/",
    ),
    (
        "IGORA /Leningrad Region/, December 26. /TASS/. The leaders met at a ski resort.",
        "IGORA /Leningrad Region/, December 26. /TASS/.",
        "IGORA /Leningrad Region/",
        "December 26",
        "TASS",
        "IGORA /Leningrad Region/, December 26 /TASS/",
    ),
    (
        "KAZAN, May 9 /TASS/ - Veterans marched through the city.",
        "KAZAN, May 9 /TASS/ -",
        "KAZAN",
        "May 9",
        "TASS",
        "KAZAN, May 9 /TASS/",
    ),
    # Reuters 1987
    (
        "SALVADOR, Feb 26 - Rain fell across the growing area this week.",
        "SALVADOR, Feb 26 -",
        "SALVADOR",
        "Feb 26",
        None,
        "SALVADOR, Feb 26",
    ),
    (
        "PORTLAND, Ore., March 3 - A timber firm said it would expand.",
        "PORTLAND, Ore., March 3 -",
        "PORTLAND, Ore.",
        "March 3",
        None,
        "PORTLAND, Ore., March 3",
    ),
    (
        "MONTREAL, Feb 26- The bank raised its prime rate.",
        "MONTREAL, Feb 26-",
        "MONTREAL",
        "Feb 26",
        None,
        "MONTREAL, Feb 26",
    ),
    (
        "TULSA, Okla. April 4, Reuter - An oil producer cut its budget.",
        "TULSA, Okla. April 4, Reuter -",
        "TULSA, Okla.",
        "April 4",
        "Reuters",
        "TULSA, Okla., April 4 (Reuters) -",
    ),
    (
        "omaha, april 7 - Hog prices are expected to be steady.",
        "omaha, april 7 -",
        "omaha",
        "april 7",
        None,
        "omaha, april 7",
    ),
    (
        "DENVER, Macrh 12 - A mining company reported a loss.",
        "DENVER, Macrh 12 -",
        "DENVER",
        "Macrh 12",
        None,
        "DENVER, Macrh 12",
    ),
    # Reuters modern
    (
        "WASHINGTON (Reuters) - Lawmakers debated the budget on Monday.",
        "WASHINGTON (Reuters) -",
        "WASHINGTON",
        None,
        "Reuters",
        "WASHINGTON (Reuters) -",
    ),
    (
        "LONDON/NEW YORK (Reuters) - Banks reported higher profits.",
        "LONDON/NEW YORK (Reuters) -",
        "LONDON/NEW YORK",
        None,
        "Reuters",
        "LONDON/NEW YORK (Reuters) -",
    ),
    (
        "(Reuters) - A court ruled on the appeal on Friday.",
        "(Reuters) -",
        None,
        None,
        "Reuters",
        "(Reuters) -",
    ),
    (
        "ASPEN, Colo./DENVER (Reuters) - Skiers returned to the slopes.",
        "ASPEN, Colo./DENVER (Reuters) -",
        "ASPEN, Colo./DENVER",
        None,
        "Reuters",
        "ASPEN, Colo./DENVER (Reuters) -",
    ),
    ("Reuters - The agency said it would hire.", "Reuters -", None, None, "Reuters", "(Reuters) -"),
    # AP
    (
        "PINE RIDGE, S.D. (AP) -- Tribal leaders met with state officials.",
        "PINE RIDGE, S.D. (AP) --",
        "PINE RIDGE, S.D.",
        None,
        "AP",
        "PINE RIDGE, S.D. (AP) —",
    ),
    (
        "INDIANAPOLIS (AP) _ The race was delayed by rain.",
        "INDIANAPOLIS (AP) _",
        "INDIANAPOLIS",
        None,
        "AP",
        "INDIANAPOLIS (AP) —",
    ),
    ("AP - A start-up won a research grant.", "AP -", None, None, "AP", "(AP) —"),
    (
        "NAIROBI, Kenya (AP) -- Aid workers reached the camp.",
        "NAIROBI, Kenya (AP) --",
        "NAIROBI, Kenya",
        None,
        "AP",
        "NAIROBI, Kenya (AP) —",
    ),
    # Xinhua
    (
        "BEIJING, April 25 (Xinhua)--The ministry issued new rules.",
        "BEIJING, April 25 (Xinhua)--",
        "BEIJING",
        "April 25",
        "Xinhua",
        "BEIJING, April 25 (Xinhua) --",
    ),
    (
        "(Xinhuanet) -- The exhibition opened on Tuesday.",
        "(Xinhuanet) --",
        None,
        None,
        "Xinhua",
        "(Xinhua) --",
    ),
    (
        "HANGZHOU, Aug. 17 (Xinhuanet) -- Tea farmers expect a good harvest.",
        "HANGZHOU, Aug. 17 (Xinhuanet) --",
        "HANGZHOU",
        "Aug. 17",
        "Xinhua",
        "HANGZHOU, Aug. 17 (Xinhua) --",
    ),
    (
        "WUXI (Jiangsu), May 3 (Xinhua) -- A new bridge opened.",
        "WUXI (Jiangsu), May 3 (Xinhua) --",
        "WUXI (Jiangsu)",
        "May 3",
        "Xinhua",
        "WUXI (Jiangsu), May 3 (Xinhua) --",
    ),
    # NYT
    (
        "WASHINGTON _ The senators could not agree on a schedule.",
        "WASHINGTON _",
        "WASHINGTON",
        None,
        None,
        "WASHINGTON",
    ),
    (
        "CROW AGENCY, Mont. _ The museum reopened after repairs.",
        "CROW AGENCY, Mont. _",
        "CROW AGENCY, Mont.",
        None,
        None,
        "CROW AGENCY, Mont.",
    ),
    (
        "LOS ANGELES -- The studio postponed its premiere.",
        "LOS ANGELES --",
        "LOS ANGELES",
        None,
        None,
        "LOS ANGELES",
    ),
    # AFP, Interfax and others written the same ways
    (
        "VIENNA (AFP) - Oil ministers met on Friday.",
        "VIENNA (AFP) -",
        "VIENNA",
        None,
        "AFP",
        "VIENNA (AFP) -",
    ),
    (
        "MOSCOW. Oct 5 (Interfax) - The Duma passed the bill.",
        "MOSCOW. Oct 5 (Interfax) -",
        "MOSCOW",
        "Oct 5",
        "Interfax",
        "MOSCOW, Oct 5 (Interfax) -",
    ),
    (
        "MOSCOW, Oct 5 (RIA Novosti) - The launch went ahead.",
        "MOSCOW, Oct 5 (RIA Novosti) -",
        "MOSCOW",
        "Oct 5",
        "RIA Novosti",
        "MOSCOW, Oct 5 (RIA Novosti)",
    ),
    (
        "CHICAGO, June 3 (UPI) -- Grain prices rose.",
        "CHICAGO, June 3 (UPI) --",
        "CHICAGO",
        "June 3",
        "UPI",
        "CHICAGO, June 3 (UPI) --",
    ),
    (
        "SEOUL, March 3 (Yonhap) -- Exports climbed.",
        "SEOUL, March 3 (Yonhap) --",
        "SEOUL",
        "March 3",
        "Yonhap",
        "SEOUL, March 3 (Yonhap)",
    ),
    (
        "TOKYO (Kyodo) - The yen weakened.",
        "TOKYO (Kyodo) -",
        "TOKYO",
        None,
        "Kyodo",
        "TOKYO (Kyodo)",
    ),
    (
        "HAMBURG (dpa) - The port reported record traffic.",
        "HAMBURG (dpa) -",
        "HAMBURG",
        None,
        "dpa",
        "HAMBURG (dpa) -",
    ),
]


# Russian-language wires (TASS, RIA Novosti, Interfax and Reuters publish in Russian too): the
# agency is normalised to its Latin name, so `display` reads `/TASS/` whatever the spelling.
RUSSIAN_STYLES = [
    (
        "МОСКВА, 2 апреля. /ТАСС/. Министерство поблагодарило партнёров.",
        "МОСКВА, 2 апреля. /ТАСС/.",
        "МОСКВА",
        "2 апреля",
        "TASS",
        "МОСКВА, 2 апреля /TASS/",
    ),
    (
        "МОСКВА, 2 апреля./ТАСС/. Министерство поблагодарило партнёров.",
        "МОСКВА, 2 апреля./ТАСС/.",
        "МОСКВА",
        "2 апреля",
        "TASS",
        "МОСКВА, 2 апреля /TASS/",
    ),
    (
        "САНКТ-ПЕТЕРБУРГ, 5 мая. /ТАСС/. Мосты развели по графику.",
        "САНКТ-ПЕТЕРБУРГ, 5 мая. /ТАСС/.",
        "САНКТ-ПЕТЕРБУРГ",
        "5 мая",
        "TASS",
        "САНКТ-ПЕТЕРБУРГ, 5 мая /TASS/",
    ),
    (
        "ИГОРА /Ленинградская область/, 26 декабря. /ТАСС/. Лидеры встретились на курорте.",
        "ИГОРА /Ленинградская область/, 26 декабря. /ТАСС/.",
        "ИГОРА /Ленинградская область/",
        "26 декабря",
        "TASS",
        "ИГОРА /Ленинградская область/, 26 декабря /TASS/",
    ),
    (
        "ВАШИНГТОН, 3 марта. /Корр. ТАСС Иван Петров/. Конгресс обсудил бюджет.",
        "ВАШИНГТОН, 3 марта. /Корр. ТАСС Иван Петров/.",
        "ВАШИНГТОН",
        "3 марта",
        "TASS",
        "ВАШИНГТОН, 3 марта /TASS/",
    ),
    (
        "ЖЕНЕВА, 11 нояб. /Спец. корр. ТАСС Ольга Смирнова/.Переговоры продолжились.",
        "ЖЕНЕВА, 11 нояб. /Спец. корр. ТАСС Ольга Смирнова/.",
        "ЖЕНЕВА",
        "11 нояб",
        "TASS",
        "ЖЕНЕВА, 11 нояб /TASS/",
    ),
    (
        "НИЖНИЙ НОВГОРОД, 1 сентября. /ИТАР-ТАСС/. Школы открылись после ремонта.",
        "НИЖНИЙ НОВГОРОД, 1 сентября. /ИТАР-ТАСС/.",
        "НИЖНИЙ НОВГОРОД",
        "1 сентября",
        "TASS",
        "НИЖНИЙ НОВГОРОД, 1 сентября /TASS/",
    ),
    (
        "МОСКВА, 7 ноября. (ТАСС). На заводе выпустили новый станок.",
        "МОСКВА, 7 ноября. (ТАСС).",
        "МОСКВА",
        "7 ноября",
        "TASS",
        "МОСКВА, 7 ноября /TASS/",
    ),
    (
        "МОСКВА, 2 апр — РИА Новости. Власти сообщили о новых мерах.",
        "МОСКВА, 2 апр — РИА Новости.",
        "МОСКВА",
        "2 апр",
        "RIA Novosti",
        "МОСКВА, 2 апр (RIA Novosti)",
    ),
    (
        "МОСКВА, 2 апр - РИА Новости. Власти сообщили о новых мерах.",
        "МОСКВА, 2 апр - РИА Новости.",
        "МОСКВА",
        "2 апр",
        "RIA Novosti",
        "МОСКВА, 2 апр (RIA Novosti)",
    ),
    (
        "КАЗАНЬ, 15 фев — РИА Новости, Анна Петрова. Фестиваль собрал гостей.",
        "КАЗАНЬ, 15 фев — РИА Новости, Анна Петрова.",
        "КАЗАНЬ",
        "15 фев",
        "RIA Novosti",
        "КАЗАНЬ, 15 фев (RIA Novosti)",
    ),
    (
        "СИМФЕРОПОЛЬ, 9 мая — РИА Новости Крым. Парад прошёл по набережной.",
        "СИМФЕРОПОЛЬ, 9 мая — РИА Новости Крым.",
        "СИМФЕРОПОЛЬ",
        "9 мая",
        "RIA Novosti",
        "СИМФЕРОПОЛЬ, 9 мая (RIA Novosti)",
    ),
    (
        "МОСКВА. 5 октября. ИНТЕРФАКС - Дума приняла закон в первом чтении.",
        "МОСКВА. 5 октября. ИНТЕРФАКС -",
        "МОСКВА",
        "5 октября",
        "Interfax",
        "МОСКВА, 5 октября (Interfax) -",
    ),
    (
        "МОСКВА. 5 окт. INTERFAX.RU - Дума приняла закон в первом чтении.",
        "МОСКВА. 5 окт. INTERFAX.RU -",
        "МОСКВА",
        "5 окт",
        "Interfax",
        "МОСКВА, 5 окт (Interfax) -",
    ),
    (
        "Уфа. 20 дек. INTERFAX.RU — Аэропорт закрыли из-за снегопада.",
        "Уфа. 20 дек. INTERFAX.RU —",
        "Уфа",
        "20 дек",
        "Interfax",
        "Уфа, 20 дек (Interfax) -",
    ),
    (
        "КИЕВ. 3 июля. Интерфакс-Украина - Правительство утвердило план.",
        "КИЕВ. 3 июля. Интерфакс-Украина -",
        "КИЕВ",
        "3 июля",
        "Interfax",
        "КИЕВ, 3 июля (Interfax) -",
    ),
    (
        "МОСКВА, 2 апреля (Рейтер) - Рубль укрепился к доллару.",
        "МОСКВА, 2 апреля (Рейтер) -",
        "МОСКВА",
        "2 апреля",
        "Reuters",
        "МОСКВА, 2 апреля (Reuters) -",
    ),
]
ALL_STYLES = STYLES + RUSSIAN_STYLES


@pytest.mark.parametrize("case", ALL_STYLES, ids=[case[1] for case in ALL_STYLES])
def test_every_style_is_found_exactly_as_written(case: tuple[str | None, ...]) -> None:
    text, written, place, date, agency, display = case
    assert text is not None and written is not None
    match = find_dateline(text)
    assert match is not None
    assert match.dateline == Dateline(as_written=written, place=place, date=date, agency=agency)
    assert text[match.start : match.end] == written
    assert match.dateline.display == display
    # The quotable story starts right after the dateline and its spaces.
    assert text[match.body_start :] == text[len(written) :].lstrip()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n  ",
        "Moscow said on Monday it would respond.",
        "LONDON is rainy in the spring.",
        "FIRESTONE TO CLOSE TIRE PLANTS IN IOWA, ILLINOIS AND OKLAHOMA",
        "TIN MARKET REPORT - APRIL 7\n Cash 6,100/6,200",
        "CORRECTION - STEEL MAKER EARNINGS\n    In an item headlined ...",
        "GOLD FIXING - 412.50 DLRS",
        "WASHINGTON, D.C. 20003 Tel: 555-0100",
        "Shares of the company fell 3% in early trading on Friday.",
        "Britain's economy grew faster than expected, the ONS said.",
        '"We will rebuild," the mayor said - and the crowd cheered.',
        "By early next year the network could have two new domain names.",
        "WASHINGTON (Reuters on Friday ) - garbled agency text",
        "The company (Reuters) said on Monday it would appeal.",
        "APRIL 11 - ISRAEL INTRODUCES SUMMER TIME.",
        "TIME TABLE - Mon 10 - 12 Tue 9 - 11",
        # Russian: sentences and all-caps headlines that start with a city, agency mentions.
        "Москва заявила, что ответит на санкции.",
        "Москва заявила, что 2 апреля - РИА Новости.",
        "МОСКВА ГОТОВИТСЯ К ПРАЗДНИКУ",
        "МОСКВА ГОТОВИТСЯ К ПРАЗДНИКУ - ТАСС",
        "ВЛАСТИ МОСКВЫ ОБЪЯВИЛИ О ПРАЗДНИКЕ 9 МАЯ - РИА Новости.",
        "МОСКВА - РИА Новости. Без даты агентство не пишет.",
        "МОСКВА. ИНТЕРФАКС - Без даты агентство не пишет.",
        "ТАСС: в Москве открылась выставка.",
        "Как сообщает ТАСС, 2 апреля в Москве открылась выставка.",
        "МОСКВА, 2 апреля. Президент провёл совещание.",
        "МОСКВА, 32 апреля. /ТАСС/. Число не бывает.",
    ],
)
def test_no_invented_datelines(text: str) -> None:
    assert find_dateline(text) is None


def test_leading_whitespace_is_skipped_and_offsets_point_into_the_original() -> None:
    text = "\n\n   MOSCOW, April 2./TASS/.\n\nThe ministry said."
    match = find_dateline(text)
    assert match is not None
    assert match.start == 5
    assert text[match.start : match.end] == "MOSCOW, April 2./TASS/."
    assert text[match.body_start :] == "The ministry said."


def test_dateline_followed_directly_by_text_has_body_start_at_end() -> None:
    text = "BEIJING, April 25 (Xinhua)--China said."
    match = find_dateline(text)
    assert match is not None
    assert match.body_start == match.end
    assert text[match.body_start :] == "China said."


def test_editor_note_and_byline_are_skipped_before_the_dateline() -> None:
    text = (
        "(Corrects spelling of name in paragraph 3 of Dec 5 story) By Ann Writer and Bo Smith "
        "NEW YORK (Reuters) - The bank said."
    )
    match = find_dateline(text)
    assert match is not None
    assert match.dateline.as_written == "NEW YORK (Reuters) -"
    assert text[match.start : match.end] == "NEW YORK (Reuters) -"
    assert text[match.body_start :] == "The bank said."


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("By JANE WRITER     BOSTON (AP) -- The museum reopened.", "BOSTON (AP) --"),
        ("Canadian Press - TORONTO (AP) - The mayor resigned.", "TORONTO (AP) -"),
        ("By Jane Writer (Reuters) - The court ruled.", "(Reuters) -"),
    ],
)
def test_bylines_and_credits_are_not_part_of_the_dateline(text: str, written: str) -> None:
    match = find_dateline(text)
    assert match is not None
    assert match.dateline.as_written == written


def test_wire_debris_is_kept_in_as_written_but_not_in_place() -> None:
    match = find_dateline("****LIMA, March 4 - The mine reopened.")
    assert match is not None
    assert match.dateline.as_written == "****LIMA, March 4 -"
    assert match.dateline.place == "LIMA"


def test_agency_with_lost_name_keeps_place() -> None:
    match = find_dateline("WASHINGTON () - The committee met.")
    assert match is not None
    assert match.dateline == Dateline("WASHINGTON () -", place="WASHINGTON")
    assert match.dateline.display == "WASHINGTON"


def test_only_the_start_of_the_text_is_examined() -> None:
    # A dateline paragraph after a quoted lead is the loader's business, not the parser's.
    text = '"We are grateful," the diplomat said.\n\nMOSCOW, April 2./TASS/. The ministry said.'
    assert find_dateline(text) is None
    assert find_dateline("x" * 5000 + " WASHINGTON _ The") is None


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("MOSCOW, April 2 /TASS/", Dateline("MOSCOW, April 2 /TASS/", "MOSCOW", "April 2", "TASS")),
        (
            "MOSCOW, April 2./TASS/.",
            Dateline("MOSCOW, April 2./TASS/.", "MOSCOW", "April 2", "TASS"),
        ),
        (
            "  PINE RIDGE, S.D. (AP) ",
            Dateline("PINE RIDGE, S.D. (AP)", "PINE RIDGE, S.D.", None, "AP"),
        ),
        ("WASHINGTON", Dateline("WASHINGTON", "WASHINGTON")),
        ("WASHINGTON _", Dateline("WASHINGTON _", "WASHINGTON")),
        ("SALVADOR, Feb 26", Dateline("SALVADOR, Feb 26", "SALVADOR", "Feb 26")),
        ("SALVADOR, Feb 26 -", Dateline("SALVADOR, Feb 26 -", "SALVADOR", "Feb 26")),
        ("(Reuters) -", Dateline("(Reuters) -", agency="Reuters")),
        ("Moscow, Russia", Dateline("Moscow, Russia", "Moscow, Russia")),
        ("April 2", Dateline("April 2", date="April 2")),
        ("", Dateline("")),
        ("not a dateline!", Dateline("not a dateline!")),
    ],
)
def test_parse_dateline_front_matter(given_text: str, expected: Dateline) -> None:
    assert parse_dateline(given_text) == expected


@pytest.mark.parametrize(
    ("given_text", "display"),
    [
        ("MOSCOW, April 2./TASS/.", "MOSCOW, April 2 /TASS/"),
        ("PINE RIDGE, S.D. (AP) --", "PINE RIDGE, S.D. (AP) —"),
        ("(Reuters) -", "(Reuters) -"),
        ("not a dateline!", "not a dateline!"),
    ],
)
def test_display_of_parsed_front_matter(given_text: str, display: str) -> None:
    assert parse_dateline(given_text).display == display


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("\ufeff  МОСКВА, 2 апреля. /ТАСС/.\n\nМинистерство сообщило.", "Министерство сообщило."),
        ("МОСКВА, 2 апр — РИА Новости\nВласти сообщили.", "Власти сообщили."),
        ("МОСКВА. 5 окт. INTERFAX.RU -\nДума приняла закон.", "Дума приняла закон."),
        ("МОСКВА. /ТАСС/. Министерство сообщило.", "Министерство сообщило."),
    ],
)
def test_russian_body_start_points_at_the_story(text: str, body: str) -> None:
    match = find_dateline(text)
    assert match is not None
    assert text[match.start : match.end] == match.dateline.as_written
    assert text[match.body_start :] == body
    assert match.dateline.agency is not None


def test_russian_dateline_without_date_keeps_place_without_separator_dot() -> None:
    match = find_dateline("МОСКВА. /ТАСС/. Министерство сообщило.")
    assert match is not None
    assert match.dateline == Dateline("МОСКВА. /ТАСС/.", place="МОСКВА", agency="TASS")
    assert match.dateline.display == "МОСКВА /TASS/"


def test_russian_dates_accept_every_month_spelling() -> None:
    months = (
        "января", "янв", "февраля", "фев", "февр", "марта", "мар", "апреля", "апр", "мая",
        "июня", "июн", "июля", "июл", "августа", "авг", "сентября", "сен", "сент", "октября",
        "окт", "ноября", "ноя", "нояб", "декабря", "дек", "АПРЕЛЯ",
    )  # fmt: skip
    for month in months:
        match = find_dateline(f"МОСКВА, 12 {month}. /ТАСС/. Текст новости.")
        assert match is not None, month
        assert match.dateline.date == f"12 {month}"
    # A misspelt month is not guessed at: the dateline is left in the story text.
    assert find_dateline("МОСКВА, 12 апрелья. /ТАСС/. Текст новости.") is None
    assert find_dateline("МОСКВА, 12 апрелья — РИА Новости. Текст новости.") is None


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        (
            "МОСКВА, 2 апреля /ТАСС/",
            Dateline("МОСКВА, 2 апреля /ТАСС/", "МОСКВА", "2 апреля", "TASS"),
        ),
        (
            "МОСКВА, 2 апреля /TASS/",
            Dateline("МОСКВА, 2 апреля /TASS/", "МОСКВА", "2 апреля", "TASS"),
        ),
        (
            "МОСКВА, 2 апр (RIA Novosti)",
            Dateline("МОСКВА, 2 апр (RIA Novosti)", "МОСКВА", "2 апр", "RIA Novosti"),
        ),
        ("МОСКВА, 2 апреля", Dateline("МОСКВА, 2 апреля", "МОСКВА", "2 апреля")),
        ("Москва", Dateline("Москва", "Москва")),
    ],
)
def test_parse_dateline_russian_front_matter(given_text: str, expected: Dateline) -> None:
    assert parse_dateline(given_text) == expected


@pytest.mark.parametrize("case", RUSSIAN_STYLES, ids=[case[1] for case in RUSSIAN_STYLES])
def test_russian_display_parses_back_to_the_same_parts(case: tuple[str | None, ...]) -> None:
    match = find_dateline(case[0] or "")
    assert match is not None
    again = parse_dateline(match.dateline.display)
    assert (again.place, again.date, again.agency) == (
        match.dateline.place,
        match.dateline.date,
        match.dateline.agency,
    )


def test_parse_dateline_accepts_what_find_dateline_reports() -> None:
    for text, written, *_ in ALL_STYLES:
        match = find_dateline(text)
        assert match is not None
        assert parse_dateline(written) == match.dateline


_FRAGMENTS = st.sampled_from(
    [
        "MOSCOW",
        "NEW YORK",
        "S.D.",
        "Ore.",
        "omaha",
        ", ",
        ". ",
        " ",
        "  ",
        "\n",
        "/",
        "/TASS/",
        "(AP)",
        "(Reuters)",
        "(Hebei)",
        "()",
        "(",
        ")",
        "April 2",
        "Feb 26",
        "Macrh 3",
        "26",
        "-",
        " - ",
        "--",
        "_",
        "—",
        ".",
        "By Ann Lee ",
        "By ANN LEE   ",
        "(Corrects story) ",
        "****",
        "c ",
        "The",
        " said on Monday",
        "é",
        "\ufeff",
        "МОСКВА",
        "Москва",
        "САНКТ-ПЕТЕРБУРГ",
        "2 апреля",
        "5 окт",
        "/ТАСС/",
        "/Корр. ТАСС Иван Петров/",
        "(ТАСС)",
        "РИА Новости",
        "ИНТЕРФАКС",
        "INTERFAX.RU",
        "(Рейтер)",
        "заявила",
    ]
)
_TEXTS = st.one_of(st.text(max_size=300), st.lists(_FRAGMENTS, max_size=25).map("".join))


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_find_dateline_properties(text: str) -> None:
    match = find_dateline(text)
    if match is not None:
        assert text[match.start : match.end] == match.dateline.as_written
        assert match.dateline.as_written
        assert 0 <= match.start <= match.end <= match.body_start <= len(text)
        # `find_dateline` skips a BOM like whitespace; `str.strip` does not.
        before = text[: match.start].replace("\ufeff", "")
        assert not before.strip() or before.lstrip()[0] in "(BCAR"
        assert not text[match.end : match.body_start].replace("\ufeff", "").strip()
        assert isinstance(match.dateline.display, str)


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_parse_dateline_never_raises(text: str) -> None:
    dateline = parse_dateline(text)
    assert dateline.as_written == text.strip()
    assert isinstance(dateline.display, str)


def test_pathological_inputs_stay_fast() -> None:
    inputs = [
        "A A A A A, A A A A A, A A A A A, A A A A A (" * 10,
        "(correct " + "a" * 240 + ") By Aa Bb Cc Dd and Ee Ff Gg Hh " + "WORD " * 30,
        "Jan Jan Jan Jan, Jan Jan, Jan Jan Jan, Jan Jan 5 5 5 5 (" * 5,
        "А А А А А, А А А А А, А А А А А, 2 апр 2 апр ТАСС РИА /(" * 10,
        "МОСКВА, " * 40 + "2 апреля — РИА Новости, " + "Анна Петрова и " * 20,
        "МОСКВА. 5 октября. /Корр. ТАСС " + "Иван " * 60,
    ]
    began = time.perf_counter()
    for _ in range(50):
        for text in inputs:
            find_dateline(text)
    assert time.perf_counter() - began < 2.0


def _load_eval_script() -> ModuleType:
    path = REPO / "scripts" / "eval_datelines.py"
    spec = importlib.util.spec_from_file_location("eval_datelines", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_datelines"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared_data
@pytest.mark.skipif(
    not (SHARED_DATA / "news" / "datelines.tsv").is_file(),
    reason=f"shared news data not found at {SHARED_DATA}",
)
def test_ground_truth_floors() -> None:
    results = _load_eval_script().evaluate(SHARED_DATA)
    assert [r.name for r in results] == ["articles.jsonl", "styles/*.txt"]
    for result in results:
        assert result.with_dateline > 500
        assert result.exact_share >= 0.99, result.name
        # BBC stories never carry a dateline: nothing may be reported there.
        assert result.by_group["bbc"]["fp"] == 0
        # Elsewhere a few ground-truth rows miss a real dateline (see the eval's listing);
        # anything beyond a handful would be invented datelines.
        without = result.items - result.with_dateline
        assert result.false_positives <= max(6, without // 200), result.name


@pytest.mark.parametrize(
    ("story", "display"),
    [
        ("SPRINGFIELD, May 3 (AP) -- The council met.", "SPRINGFIELD, May 3 (AP) —"),
        ("SYDNEY (Reuters) - Rain fell.", "SYDNEY (Reuters) -"),
        ("SYDNEY /Reuters/ - Rain fell.", "SYDNEY (Reuters) -"),  # one agency, one form
        ("MOSCOW, April 2 /TASS/. Planes landed.", "MOSCOW, April 2 /TASS/"),
        ("BEIJING, May 3 (Xinhua) -- Trains ran.", "BEIJING, May 3 (Xinhua) --"),
    ],
)
def test_each_agency_is_displayed_in_its_own_convention(story: str, display: str) -> None:
    found = find_dateline(story)
    assert found is not None and found.dateline.display == display
    assert found.dateline.as_written == story[found.start : found.end]  # parts unchanged
    assert found.dateline.agency in display

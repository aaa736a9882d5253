"""Every embed and message Dateline sends stays inside Discord's limits and stays inert."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import discord
from hypothesis import given
from hypothesis import strategies as st

from bot.answers import AnswerStatus
from bot.frontends.discord import render
from bot.knowledge import Dateline
from bot.serving import ReloadReport
from tests.samples.discord_objects import make_answer, make_article, make_finding

_UNESCAPE = re.compile(r"\\(.)", re.S)


def unescape(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text)


def assert_within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(embed) <= render.EMBED_TOTAL
    assert len(data.get("title", "")) <= render.EMBED_TITLE
    assert len(data.get("description", "")) <= render.EMBED_DESCRIPTION
    assert len(data.get("fields", [])) <= render.EMBED_FIELDS
    for field in data.get("fields", []):
        assert 0 < len(field["name"]) <= render.EMBED_FIELD_NAME
        assert 0 < len(field["value"]) <= render.EMBED_FIELD_VALUE
    assert len(data.get("footer", {}).get("text", "")) <= render.EMBED_FOOTER
    assert len(data.get("author", {}).get("name", "")) <= render.EMBED_AUTHOR


def parse_marked(text: str) -> tuple[str, int]:
    """(the literal text Discord shows, how many `**` markers) for escaped, marked text."""
    shown: list[str] = []
    markers = 0
    index = 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text):
            shown.append(text[index + 1])
            index += 2
        elif text.startswith("**", index):
            markers += 1
            index += 2
        else:
            shown.append(text[index])
            index += 1
    return "".join(shown), markers


def bold_balanced(text: str) -> bool:
    return parse_marked(text)[1] % 2 == 0


# --- escaping and trimming -----------------------------------------------------------------------


def test_escape_markdown_neutralises_formatting_and_mentions() -> None:
    text = "**bold** _it_ ~~s~~ ||spoiler|| `code` > quote # head - item [a](b) <@123> :x:"
    escaped = render.escape_markdown(text)
    assert unescape(escaped) == text
    assert "**" not in escaped.replace("\\*", "")
    assert "<@123>" not in escaped
    assert "\\<@123\\>" in escaped


@given(st.text(max_size=300))
def test_escape_round_trips(text: str) -> None:
    assert unescape(render.escape_markdown(text)) == text


@given(st.text(max_size=400), st.integers(min_value=1, max_value=200))
def test_escape_trimmed_respects_limit_and_never_splits_an_escape(text: str, limit: int) -> None:
    out = render.escape_trimmed(text, limit)
    assert len(out) <= limit
    body = out.removesuffix(render.ELLIPSIS) if out != render.escape_markdown(text) else out
    trailing = len(body) - len(body.rstrip("\\"))
    assert trailing % 2 == 0
    assert text.startswith(unescape(body).rstrip()) or unescape(body) == text


@given(st.text(max_size=300), st.integers(min_value=0, max_value=300))
def test_trim(text: str, limit: int) -> None:
    out = render.trim(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text


@st.composite
def quotes(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    text = draw(st.text(alphabet=st.sampled_from("ab *_`\\>#<@-é"), max_size=200))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2) if cuts[i] < cuts[i + 1]]
    return text, spans


@given(quotes(), st.integers(min_value=1, max_value=250))
def test_mark_quote_is_well_formed_and_within_limit(
    quote: tuple[str, list[tuple[int, int]]], limit: int
) -> None:
    text, spans = quote
    out = render.mark_quote(text, spans, limit)
    assert len(out) <= limit
    assert bold_balanced(out)
    shown = parse_marked(out.removesuffix(render.ELLIPSIS))[0]
    assert text.startswith(shown.rstrip()) or shown == text


def test_mark_quote_bolds_highlights() -> None:
    assert render.mark_quote("the mayor opened it", [(4, 9), (10, 16)], 100) == (
        "the **mayor** **opened** it"
    )
    assert render.mark_quote("ab", [(0, 1), (1, 2)], 100) == "**ab**"  # adjacent spans merge


def test_safe_url() -> None:
    assert render.safe_url("https://example.org/a") == "https://example.org/a"
    assert render.safe_url("javascript:alert(1)") is None
    assert render.safe_url("https://example.org/a b") is None
    assert render.safe_url("https://x/" + "a" * 3000) is None
    assert render.safe_url(None) is None


# --- answer embeds -----------------------------------------------------------------------------


def test_answer_embed_has_linked_title_bold_quote_dateline_source_and_confidence() -> None:
    article = make_article()
    answer = make_answer([make_finding(article, ((4, 9),))])
    embed = render.answer_embed(answer)
    assert embed.title == "Mayor opens bridge"
    assert embed.url == "https://example.org/bridge"
    description = embed.description or ""
    assert description.startswith("> “The **mayor** opened the new bridge on Monday.”")
    assert "**MOSCOW, April 2 /TASS/**" in description
    assert "Gazette" in description and "2020\\-04\\-02" in description
    assert embed.footer.text == "Confidence: high"
    assert embed.colour == render.COLOUR_ANSWER
    assert_within_limits(embed)


def test_alternative_pages_are_labelled() -> None:
    first = make_finding(make_article())
    second = make_finding(make_article("Another story.", article_id="b", title="Other"))
    answer = make_answer([first, second])
    assert "1 more result" in (render.answer_embed(answer, 0).footer.text or "")
    page = render.answer_embed(answer, 1)
    assert page.title == "Other"
    assert "(2 of 2)" in (page.footer.text or "")
    assert render.answer_embed(answer, 9).title == "Other"  # clamped
    assert render.page_count(answer) == 2


def test_not_found_says_so_and_labels_the_closest_passage() -> None:
    finding = make_finding(make_article(url=None))
    answer = make_answer(
        [finding],
        status=AnswerStatus.NOT_FOUND,
        message="The articles do not say.",
        confidence=0.3,
    )
    embed = render.answer_embed(answer)
    assert embed.title == "Not found in the articles"
    description = embed.description or ""
    assert description.startswith("The articles do not say.")
    assert "**Closest passage (not an answer):**" in description
    assert "> “The mayor opened" in description
    assert "**Mayor opens bridge**" in description
    assert "below the answer threshold" in (embed.footer.text or "")


def test_not_found_without_any_passage() -> None:
    answer = make_answer([], status=AnswerStatus.NOT_FOUND, message="No article mentions it.")
    embed = render.answer_embed(answer)
    assert embed.title == "Not found in the articles"
    assert embed.description == "No article mentions it."


def test_article_text_with_mentions_and_markdown_is_escaped() -> None:
    text = "@everyone <@123> **not bold** [click](https://evil) ||x||"
    article = make_article(text, title="**Title** @here", source="<@&5>")
    embed = render.answer_embed(make_answer([make_finding(article)]))
    description = embed.description or ""
    assert "\\<@123\\>" in description and "\\<@&5\\>" in description
    assert "\\*\\*not bold\\*\\*" in description
    assert "\\[click\\]\\(https\\://evil\\)" in description


def test_huge_article_parts_stay_within_every_limit() -> None:
    text = ("A very long paragraph with *stars* and <@1> mentions, " * 3000).strip()
    highlights = tuple((i, i + 4) for i in range(2, len(text) - 10, 57))
    article = make_article(
        text,
        title="T" * 5000,
        dateline=Dateline("X" * 5000, "P" * 3000, "D" * 3000, "A" * 3000),
        source="S" * 5000,
        url="https://example.org/" + "u" * 5000,
        published="2" * 3000,
    )
    findings = [make_finding(article, highlights) for _ in range(5)]
    answer = make_answer(findings, question="q" * 9000)
    for page in range(5):
        embed = render.answer_embed(answer, page)
        assert_within_limits(embed)
        assert bold_balanced(embed.description or "")
    not_found = make_answer(findings, status=AnswerStatus.NOT_FOUND, message="m" * 9000)
    assert_within_limits(render.answer_embed(not_found))
    assert_within_limits(render.article_embed(article, 12))
    assert_within_limits(render.sources_embed([article] * 30, 1))


def test_fit_embed_enforces_fields_and_total() -> None:
    embed = discord.Embed(title="t" * 300, description="d" * 5000)
    for _index in range(30):
        embed.add_field(name="n" * 300, value="v" * 2000)
    assert_within_limits(render.fit_embed(embed))


# --- other messages ------------------------------------------------------------------------------


def test_plain_messages() -> None:
    assert render.cooldown_message(0.2) == "You're asking quickly — please try again in 1 s."
    assert "try again in 13 s" in render.cooldown_message(12.01)
    assert "600" in render.too_long_message(600, 500) and "500" in render.too_long_message(600, 500)
    assert len(render.content("x" * 5000)) == render.MESSAGE_CHARS
    assert render.content("") == "\u200b"
    name = render.thread_name("@everyone " + "why " * 100)
    assert len(name) <= render.THREAD_NAME and "@everyone" not in name


def test_sources_pages() -> None:
    articles = [make_article(article_id=f"a{i}", title=f"Story {i}") for i in range(23)]
    assert render.sources_pages(23) == 3
    assert render.sources_pages(0) == 1
    last = render.sources_embed(articles, 2)
    assert (last.description or "").count("\n") == 2  # three lines on the last page
    assert "`21.` **Story 20**" in (last.description or "")
    assert last.footer.text == "Page 3 of 3 · /article shows one article"
    assert render.sources_embed([], 0).description == "No articles are loaded."


def test_article_embed_fields() -> None:
    article = replace(make_article(), source_file="knowledge/desk/story.txt")
    embed = render.article_embed(article, 3)
    names = [field.name for field in embed.fields]
    assert names == ["Source", "Published", "Link", "Passages"]  # no server path: it is public
    assert "knowledge/" not in str(embed.to_dict())
    assert render.article_file_message(article) == "File: `knowledge/desk/story.txt`"
    assert (embed.description or "").startswith("**MOSCOW, April 2 /TASS/**\nThe mayor")


def test_help_embed_mentions_channels_only_when_enabled() -> None:
    context = render.HelpContext("@Dateline", ("<#1>",), True, True, 5, 60.0, 500)
    embed = render.help_embed(context)
    assert any(field.name == "Question channels" for field in embed.fields)
    limits = next(field.value for field in embed.fields if field.name == "Limits")
    assert "5 questions per 1 minute" in (limits or "") and "thread" in (limits or "")
    disabled = render.HelpContext("@Dateline", ("<#1>",), False, False, 1, 30.0, 500)
    assert all(field.name != "Question channels" for field in render.help_embed(disabled).fields)


def test_reload_and_status_embeds() -> None:
    ok = ReloadReport(
        ok=True, added=tuple(f"id{i}" for i in range(40)), articles=40, passages=90, seconds=0.5
    )
    embed = render.reload_embed(ok)
    added = next(field for field in embed.fields if (field.name or "").startswith("Added"))
    assert "and 30 more" in (added.value or "")
    assert_within_limits(embed)
    failed = render.reload_embed(ReloadReport(ok=False, error="boom", seconds=0.1))
    assert "previous knowledge" in (failed.title or "")
    info = render.StatusInfo("0.1.0", "2.7.1", 1000.0, 3, 9, ok, False, math.nan, 2)
    status = render.status_embed(info, now=1000.0 + 3723)
    values = {field.name: field.value for field in status.fields}
    assert values["Uptime"] == "1h 2m" and values["Gateway latency"] == "n/a"
    assert values["Articles"] == "3"
    extensions = render.extensions_embed(
        [render.ExtensionResult("a", True), render.ExtensionResult("b", False, "SyntaxError: x")]
    )
    assert "kept the previous version" in (extensions.description or "")

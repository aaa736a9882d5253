"""`/admin stats` and `/admin knowledge` replies stay inside Discord's limits and stay inert, for
any figures, titles, file names and problems (render.py, render.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.frontends.discord import render
from bot.knowledge import AddResult, ArticleSummary, FileEntry, LoadProblem
from bot.records import QuotedArticle, Stats, UnansweredQuestion
from bot.serving import ReloadReport

HOSTILE_TEXT = st.lists(
    st.sampled_from(
        [*list("ab <>@&!#*_~`|>-[]():\\\n"), "@everyone", "<@123>", "\u202e", "\u200b", "é"]
    ),
    max_size=120,
).map("".join)


def assert_fits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(embed) <= render.EMBED_TOTAL
    assert len(data.get("title", "")) <= render.EMBED_TITLE
    assert len(data.get("description", "")) <= render.EMBED_DESCRIPTION
    assert len(data.get("fields", [])) <= render.EMBED_FIELDS
    for field in data.get("fields", []):
        assert 0 < len(field["name"]) <= render.EMBED_FIELD_NAME
        assert 0 < len(field["value"]) <= render.EMBED_FIELD_VALUE
    assert len(data.get("footer", {}).get("text", "")) <= render.EMBED_FOOTER


def inert(text: str) -> bool:
    """No unescaped mention syntax (embeds never ping, but the text must not read as one)."""
    return re.search(r"(?<!\\)<@", text) is None


def stats(unanswered: list[str], articles: list[str]) -> Stats:
    return Stats(
        since=datetime(2026, 1, 1, tzinfo=UTC),
        until=None,
        questions_asked=12,
        questions_answered=9,
        answer_rate=0.75,
        top_unanswered=tuple(UnansweredQuestion(t, 10 - i) for i, t in enumerate(unanswered)),
        feedback_up=2,
        feedback_down=1,
        feedback_ratio=2 / 3,
        top_articles=tuple(QuotedArticle(a, 5) for a in articles),
    )


def test_stats_embed_shows_every_figure_and_titles_from_the_knowledge() -> None:
    context = render.StatsContext("7d", {"a1": "Mayor opens bridge"}, retention_days=90)
    embed = render.stats_embed(stats(["who won the cup"], ["a1", "gone"]), context)
    assert embed.title == "Dateline stats — the last 7 days"
    assert embed.description == "**12** questions asked, **9** answered (75 %)."
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Feedback"] == "👍 2 · 👎 1 — 67 % found the answer helpful"
    assert fields["Most asked, not answered — add articles about these"] == "`10×` who won the cup"
    assert fields["Most-quoted articles"] == (
        "`5×` Mayor opens bridge\n`5×` gone *(no longer loaded)*"
    )
    assert (
        embed.footer.text == "This server · since 2026-01-01 00:00 UTC · questions are kept 90 days"
    )


def test_stats_embed_for_an_empty_period() -> None:
    empty = Stats(None, None, 0, 0, None, (), 0, 0, None, ())
    context = render.StatsContext("all", {}, retention_days=30)
    embed = render.stats_embed(empty, context)
    assert embed.description == "No questions were asked in this period."
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Feedback"] == "No votes yet."
    assert embed.footer.text == "This server · questions are kept 30 days"


@settings(max_examples=60, deadline=None)
@given(st.lists(HOSTILE_TEXT, max_size=12), st.lists(HOSTILE_TEXT, max_size=12))
def test_stats_embed_fits_and_is_inert_for_any_text(
    questions: list[str], titles: list[str]
) -> None:
    ids = [f"id{i}" for i in range(len(titles))]
    context = render.StatsContext("30d", dict(zip(ids, titles, strict=True)), 90)
    embed = render.stats_embed(stats(questions, ids), context)
    assert_fits(embed)
    for field in embed.fields:
        assert inert(field.value or "")
        assert "\u202e" not in (field.value or "") and "\u200b" not in (field.value or "")


def add_result(articles: list[tuple[str, str | None]], warnings: int = 0) -> AddResult:
    return AddResult(
        path=Path("knowledge/x.txt"),
        filename="x.txt",
        size=1234,
        replaced=False,
        previous=None,
        articles=tuple(
            ArticleSummary(f"x/{i}", title, dateline, i + 1)
            for i, (title, dateline) in enumerate(articles)
        ),
        warnings=tuple(
            LoadProblem("x.txt", f"odd thing {i}", line=i, fatal=False) for i in range(warnings)
        ),
    )


def test_added_embed_reports_title_dateline_passages_warnings_and_reload() -> None:
    report = ReloadReport(ok=True, articles=5, passages=9, seconds=0.1)
    embed = render.added_embed(add_result([("Lights *on*", "LONDON, May 5")], 7), report)
    assert embed.title == "Article file added"
    assert embed.description == "**Lights \\*on\\***\nLONDON, May 5 · 1 passage"
    fields = {field.name: field.value or "" for field in embed.fields}
    assert fields["File"] == "`x.txt` · 1.2 KB · 1 passage in all"
    assert fields["Warnings (7)"].endswith("… and 2 more")
    assert fields["Knowledge"].startswith("5 articles, 9 passages")

    failed = ReloadReport(ok=False, error="OSError: disk")
    embed = render.added_embed(add_result([("T", None)]), failed)
    assert embed.title == "Article file added, but not served yet"
    assert "*no dateline found*" in (embed.description or "")
    knowledge = {field.name: field.value or "" for field in embed.fields}["Knowledge"]
    assert "previous knowledge is still answering" in knowledge
    busy = render.added_embed(add_result([("T", None)]), None)
    assert "next `/admin reload`" in {f.name: f.value or "" for f in busy.fields}["Knowledge"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(HOSTILE_TEXT, st.none() | HOSTILE_TEXT), min_size=1, max_size=40),
    st.integers(0, 30),
)
def test_added_embed_fits_for_any_upload(
    articles: list[tuple[str, str | None]], warnings: int
) -> None:
    embed = render.added_embed(add_result(articles, warnings), None)
    assert_fits(embed)
    assert inert(embed.description or "")


def entry(name: str, problems: int = 0, *, loaded: bool = True) -> FileEntry:
    return FileEntry(
        relative_path=name,
        path=Path("knowledge") / name,
        size=2048,
        modified=0.0,
        articles=1,
        problems=tuple(LoadProblem(name, "x" * 500, line=3) for _ in range(problems)),
        loaded=loaded,
    )


def test_files_embed_pages_and_marks_problems() -> None:
    entries = [entry(f"f{i:02}.txt") for i in range(12)] + [
        entry("bad.json", 3),
        entry("new.txt", loaded=False),
    ]
    assert render.file_pages(len(entries)) == 2
    first = render.files_embed(entries, 0)
    assert first.title == "Article files (14)"
    assert (first.description or "").startswith("`1.` `f00.txt` — 1 article · 2.0 KB ✅")
    assert first.footer.text == "Page 1 of 2 · 2 need attention · /admin knowledge add | remove"
    second = render.files_embed(entries, 1)
    text = second.description or ""
    assert "`13.` `bad.json` — 1 article · 2.0 KB ❌ 3 problems" in text
    assert "↳ … and 1 more" in text and "🆕 not loaded yet" in text
    assert render.files_embed([], 0, only_problems=True).description == (
        "No file has a problem. ✅"
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(HOSTILE_TEXT, st.integers(0, 5)), max_size=25), st.integers(0, 3))
def test_files_embed_fits_for_any_names_and_problems(
    files: list[tuple[str, int]], page: int
) -> None:
    entries = [entry(name or "x", problems) for name, problems in files]
    embed = render.files_embed(entries, page)
    assert_fits(embed)
    assert (embed.description or "").count("`") % 2 == 0  # every code span is closed


def test_code_spans_cannot_be_closed_early() -> None:
    assert render.code("a`b") == "`aˋb`"
    assert render.code("") == "` `"
    assert render.size_text(999) == "999 B"
    assert render.size_text(5_000_000) == "5.0 MB"
    rejected = render.rejected_embed("no <@1>", [LoadProblem("f", "bad")] * 9)
    assert_fits(rejected)
    assert inert(rejected.description or "")

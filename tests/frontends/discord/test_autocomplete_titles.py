"""Title autocomplete for /article: at most 25 choices, names and values within 100 chars."""

from __future__ import annotations

import time

from bot.frontends.discord.autocomplete import ArticleCatalog, choice_name, choice_value
from tests.samples.discord_objects import make_article


def test_prefix_matches_first_then_words_anywhere() -> None:
    catalog = ArticleCatalog(
        (
            make_article(article_id="a", title="Italy thanks Russia"),
            make_article(article_id="b", title="Russia sends aid to Italy"),
            make_article(article_id="c", title="Weather"),
        )
    )
    assert [value for _, value in catalog.choices("russia")] == ["b", "a"]
    assert [value for _, value in catalog.choices("ITALY than")] == ["a"]
    assert [value for _, value in catalog.choices("")] == ["a", "b", "c"]
    assert catalog.choices("nothing") == []


def test_limits_hold_for_many_long_titles_and_ids() -> None:
    articles = tuple(
        make_article(article_id=f"folder/{'x' * 150}/{i}.txt", title=f"Story {i} " + "w" * 300)
        for i in range(2000)
    )
    catalog = ArticleCatalog(articles)
    started = time.perf_counter()
    choices = catalog.choices("story")
    elapsed = time.perf_counter() - started
    assert len(choices) == 25
    assert all(0 < len(name) <= 100 and 0 < len(value) <= 100 for name, value in choices)
    assert elapsed < 0.5
    _name, value = choices[3]
    assert catalog.resolve(value) is articles[3]
    assert value.startswith("#")


def test_resolve_by_value_exact_title_or_unique_prefix() -> None:
    first = make_article(article_id="a", title="Italy thanks Russia")
    second = make_article(article_id="b", title="Italy sends doctors")
    catalog = ArticleCatalog((first, second))
    assert catalog.resolve("a") is first
    assert catalog.resolve("italy sends doctors") is second
    assert catalog.resolve("Italy th") is first
    assert catalog.resolve("Italy") is None  # ambiguous
    assert catalog.resolve("   ") is None


def test_choice_name_adds_the_dateline_when_it_fits() -> None:
    article = make_article(title="Short")
    assert choice_name(article) == "Short — MOSCOW, April 2 /TASS/"
    assert choice_value(article) == article.id
    assert len(choice_name(make_article(title="y" * 400))) == 100

"""Answer buttons: custom ids within limits, paging state, and expiry that keeps feedback alive."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import discord
import pytest

from bot.frontends.discord import render
from bot.frontends.discord.views import (
    FEEDBACK_TEMPLATE,
    AnswerView,
    FeedbackButton,
    SourcesView,
    feedback_custom_id,
)
from tests.samples.discord_objects import make_answer, make_article, make_finding


def test_feedback_custom_ids() -> None:
    biggest = feedback_custom_id(2**63 - 1, "down")
    assert len(biggest) <= render.CUSTOM_ID
    assert re.fullmatch(FEEDBACK_TEMPLATE, biggest)
    assert feedback_custom_id(None, "up") == "dateline:fb:0:up"
    with pytest.raises(ValueError):
        feedback_custom_id(10**20, "up")


def answer_with(pages: int) -> Any:
    findings = [
        make_finding(make_article(article_id=f"a{i}", title=f"Story {i}")) for i in range(pages)
    ]
    return make_answer(findings)


async def test_answer_view_buttons() -> None:
    client = discord.Client(intents=discord.Intents.default())
    view = AnswerView(client, answer_with(3), asker_id=7, question_id=12)
    labels = [getattr(item, "label", None) for item in view.children]
    assert labels[:2] == ["◀ Back", "More results"]
    feedback = [item for item in view.children if isinstance(item, FeedbackButton)]
    assert [item.custom_id for item in feedback] == ["dateline:fb:12:up", "dateline:fb:12:down"]
    assert view.previous_button.disabled and not view.next_button.disabled
    assert view.render_page(2).title == "Story 2"
    single = AnswerView(client, answer_with(1), asker_id=7, question_id=None)
    assert not single.pageable
    assert all(isinstance(item, FeedbackButton) for item in single.children)


async def test_expiry_disables_paging_but_not_feedback() -> None:
    client = discord.Client(intents=discord.Intents.default())
    edits: list[dict[str, Any]] = []

    async def edit(**kwargs: Any) -> None:
        edits.append(kwargs)

    view = AnswerView(client, answer_with(2), asker_id=7, question_id=3, lifetime=0.01)
    view.attach(edit)
    await view.wait()  # the expiry timer stops the view
    for _ in range(5):
        await asyncio.sleep(0)
    assert view.expired and view.is_finished()
    assert view.previous_button.disabled and view.next_button.disabled
    assert not any(item.item.disabled for item in view.children if isinstance(item, FeedbackButton))
    assert edits and edits[0]["view"] is view
    assert edits[0]["allowed_mentions"] is render.NO_MENTIONS


async def test_sources_view_pages() -> None:
    client = discord.Client(intents=discord.Intents.default())
    articles = tuple(make_article(article_id=f"a{i}", title=f"Story {i}") for i in range(15))
    view = SourcesView(client, 1, articles)
    assert view.pages == 2 and view.pageable
    assert "Page 2 of 2" in (view.render_page(1).footer.text or "")

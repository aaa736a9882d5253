"""Hostile questions through the fake Discord, by mention, in a Q&A channel and with /ask: each
gets one polite reply that pings nobody, stays within Discord's limits, and logs no error.

The fake rejects (400) any message over Discord's limits, so a 2xx on every request the bot
made is itself a check; the test also measures the limits and `allowed_mentions` directly.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.frontends.discord.triggers import looks_like_question

from .dateline_harness import Harness, assert_no_pings
from .fakes.discord_server import FakeDiscord, RecordedRequest
from .fakes.state import FakeGuild

pytestmark = pytest.mark.timeout(60)

POLITE_CONTENT = (
    "That question is ",
    "Ask me a question after the mention",
    "Please type a question.",
    "Please ask a question",
)

# Questions whose only noise is Discord markup: they must be answered like the plain question.
MARKUP_ONLY = ("everyone", "here", "user mention", "role mention", "channel, command, time, emoji")


def hostile_questions(alice_id: int, role_id: int, channel_id: int) -> dict[str, str]:
    """Name → question text. Every kind of text a member could use to ping, spoof or break."""
    return {
        "everyone": "@everyone who opened the new bridge?",
        "here": "@here who opened the new bridge?",
        "user mention": f"<@{alice_id}> <@!{alice_id}> who opened the new bridge?",
        "role mention": f"<@&{role_id}> who opened the new bridge?",
        "channel, command, time, emoji": (
            f"<#{channel_id}> </ask:1> <t:1700000000:R> <:bridge:123> who opened the bridge?"
        ),
        "markdown": (
            "**who** opened the __bridge__? ~~x~~ ||spoiler|| `code` ```block``` "
            "> quote\n# Heading\n-# small [link](https://evil.example) <https://x.example>"
        ),
        "zero width": "who\u200b opened\u200d the\ufeff new\u2060 bridge\u200c?",
        "bidi controls": "\u202ewho opened the bridge?\u202c \u2066x\u2069 \u200f\u061c",
        "zalgo": "who o\u0336\u0337\u0338pened " + "e\u0301" * 100 + " the bridge?",
        "control characters": "who\x00 opened\x07 the\x1b[31m bridge\x7f?",
        "newlines": "who\nopened\r\nthe bridge?\n\n\n\t",
        "emoji flood": "🌉" * 300 + "?",
        "right to left": "מי פתח את הגשר? من افتتح الجسر؟",
        "only punctuation": "???!!!...",
        "markdown at the limit": "*" * 499 + "?",
        "lone surrogate": "who opened the \ud800 bridge?",
        "ten thousand words": "why " * 2500,
        "ten thousand letters": "a" * 10_000,
        "ten thousand backticks": "`" * 10_000,
        "everyone in a link": "who opened [the bridge](https://x.example/@everyone)?",
    }


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


def replying_to(message_id: str) -> Callable[[RecordedRequest], bool]:
    """Matches the bot's message that replies to `message_id`."""

    def match(request: RecordedRequest) -> bool:
        reference = (request.json or {}).get("message_reference") or {}
        return request.method == "POST" and str(reference.get("message_id")) == message_id

    return match


def message_bodies(requests: list[RecordedRequest]) -> list[dict[str, Any]]:
    """Every message body the bot sent: channel messages, followups and edits, interaction
    responses that carry a message (types 4 and 7)."""
    bodies: list[dict[str, Any]] = []
    for request in requests:
        body = request.json
        if not isinstance(body, dict) or request.method not in ("POST", "PATCH"):
            continue
        if request.path.endswith("/callback"):
            if body.get("type") in (4, 7):
                bodies.append(body.get("data") or {})
        elif (
            "/messages" in request.path or request.path.startswith("/webhooks/")
        ) and "/threads" not in request.path:
            bodies.append(body)
    return bodies


def assert_within_limits(body: dict[str, Any]) -> None:
    assert len(body.get("content") or "") <= 2000
    for embed in body.get("embeds") or []:
        title = embed.get("title") or ""
        description = embed.get("description") or ""
        author = (embed.get("author") or {}).get("name") or ""
        footer = (embed.get("footer") or {}).get("text") or ""
        fields = embed.get("fields") or []
        assert len(title) <= 256 and len(description) <= 4096 and len(author) <= 256
        assert len(fields) <= 25
        total = len(title) + len(description) + len(author) + len(footer)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
        assert total <= 6000
        # The echoed question cannot carry invisible or direction-changing characters.
        assert not any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in author)
        # Mention syntax from the question or the articles is escaped in markdown text.
        assert "<@" not in description.replace("\\<@", "")


def assert_polite(body: dict[str, Any], name: str) -> None:
    content = body.get("content") or ""
    if body.get("embeds"):
        title = body["embeds"][0].get("title") or ""
        assert "Something went wrong" not in title + content, name
        return
    assert content.startswith(POLITE_CONTENT), (name, content[:120])
    assert "@everyone" not in content and "@here" not in content and "<@" not in content


async def test_hostile_questions_get_polite_replies_that_ping_nobody(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    fake = harness.fake
    role = harness.guild.role_id("Admin")
    questions = hostile_questions(int(harness.alice["id"]), role, harness.general)
    settings = harness.settings(
        harness.stories(),
        cooldown_rate=1000,
        qa_channel_ids=[harness.news],
        message_content_intent=True,
    )
    async with harness.running(settings):
        mark = fake.mark()
        for name, text in questions.items():
            # 1. By mention.
            before = fake.mark()
            asked = await fake.send_message(
                harness.general, harness.alice, f"{fake.bot_mention} {text}"
            )
            reply = await fake.wait_for_request(replying_to(asked["id"]), since=before)
            assert 200 <= reply.status < 300, (name, reply.response)
            assert_polite(reply.json, name)
            if name in MARKUP_ONLY:  # the markup was not searched for as words
                assert reply.json["embeds"][0]["title"] == "Mayor opens river bridge", name
            # 2. With /ask.
            ix = await fake.slash_command(harness.general, harness.alice, "ask", {"question": text})
            answer = await ix.answer()
            assert_polite(answer, name)
            # 3. In a Q&A channel (only messages that look like questions are answered).
            if looks_like_question(text):
                before = fake.mark()
                await fake.send_message(harness.news, harness.alice, text)
                shown = await fake.wait_for_bot_message(harness.news, since=before)
                assert_polite(shown, name)
        sent = fake.requests_to(since=mark)
        assert all(request.status < 400 for request in sent), [
            (r.method, r.path, r.status, r.response) for r in sent if r.status >= 400
        ]
        bodies = message_bodies(sent)
        assert len(bodies) >= 2 * len(questions)
        for body in bodies:
            assert_no_pings(body)
            assert_within_limits(body)
        threads = fake.requests_to("POST", "/channels/**/threads", since=mark)
        assert threads == []  # thread mode is off: nothing else was created
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == [], [record.getMessage() for record in errors]


async def test_hostile_questions_in_thread_mode_make_safe_thread_names(harness: Harness) -> None:
    fake = harness.fake
    questions = hostile_questions(int(harness.alice["id"]), 1, harness.general)
    settings = harness.settings(harness.stories(), cooldown_rate=1000, thread_mode=True)
    async with harness.running(settings):
        mark = fake.mark()
        for name in ("everyone", "bidi controls", "zero width", "markdown", "emoji flood"):
            before = fake.mark()
            await fake.send_message(
                harness.general, harness.alice, f"{fake.bot_mention} {questions[name]}"
            )
            created = await fake.wait_for_request(
                method="POST", path=f"/channels/{harness.general}/messages/*/threads", since=before
            )
            thread_name = created.json["name"]
            assert 1 <= len(thread_name) <= 100, name
            assert "@everyone" not in thread_name and "@here" not in thread_name
            assert not any(
                unicodedata.category(char) in ("Cc", "Cf") and char != "\u200b"
                for char in thread_name
            ), name
            await fake.wait_for_bot_message(int(created.response["id"]), since=before)
        assert all(request.status < 400 for request in fake.requests_to(since=mark))

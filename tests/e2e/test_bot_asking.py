"""Asking Dateline through the fake Discord: mentions, Q&A channels, threads, /ask, refusals."""

from __future__ import annotations

import pytest

from .dateline_harness import Harness, assert_no_pings, button, buttons, settle
from .fakes.discord_server import FakeDiscord
from .fakes.state import FakeGuild

pytestmark = pytest.mark.timeout(30)

QUESTION = "Who welcomed the first planes at the airfield?"


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: object) -> Harness:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    return Harness(fake_discord, fake_guild, tmp_path)


async def test_mention_gets_quote_dateline_and_feedback_buttons(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running() as bot:
        mark = fake.mark()
        asked = await fake.send_message(
            harness.general, harness.alice, f"{fake.bot_mention} {QUESTION}"
        )
        reply = await fake.wait_for_bot_message(harness.general, since=mark)
        typing = fake.requests_to("POST", f"/channels/{harness.general}/typing", since=mark)
        assert (
            typing
            and typing[0].index
            < fake.requests_to("POST", f"/channels/{harness.general}/messages", since=mark)[0].index
        )
        (embed,) = reply["embeds"]
        assert embed["description"].startswith("> “")
        assert "Luigi Di Maio" in embed["description"]
        assert "**airfield**" in embed["description"] and "**planes**" in embed["description"]
        assert "**MOSCOW, April 2 /TASS/**" in embed["description"]
        assert embed["title"].startswith("Russia")
        assert embed["footer"]["text"].startswith("Confidence: ")
        assert reply["referenced_message"]["id"] == asked["id"]
        custom_ids = [component["custom_id"] for component in buttons(reply)]
        assert len(custom_ids) == 2 and all(len(cid) <= 100 for cid in custom_ids)
        assert custom_ids[0].startswith("dateline:fb:") and custom_ids[0].endswith(":up")
        sent = harness.bot_posts(mark)[0].json
        assert_no_pings(sent)
        assert bot.store is not None
        stats = await bot.store.stats()
        assert stats is not None and stats.questions_asked == 1 and stats.questions_answered == 1


async def test_mention_without_question_gets_a_hint(harness: Harness) -> None:
    async with harness.running():
        mark = harness.fake.mark()
        await harness.fake.send_message(harness.general, harness.alice, harness.fake.bot_mention)
        reply = await harness.fake.wait_for_bot_message(harness.general, since=mark)
        assert "Ask me a question after the mention" in reply["content"]


async def test_qa_channel_is_answered_with_the_intent_and_ignored_without(
    harness: Harness,
) -> None:
    fake = harness.fake
    news = harness.news
    settings = harness.settings(qa_channel_ids=[news], message_content_intent=True)
    async with harness.running(settings):
        mark = fake.mark()
        await fake.send_message(news, harness.alice, "thanks, everyone!")  # chatter: ignored
        await fake.send_message(news, harness.alice, QUESTION)
        reply = await fake.wait_for_bot_message(news, since=mark)
        assert "Luigi Di Maio" in reply["embeds"][0]["description"]
        await settle()
        assert len(harness.bot_posts(mark)) == 1
    identify = fake.frames.find(lambda frame: frame.op == 2)
    assert identify[-1].data["intents"] & (1 << 15)  # message content was requested

    without = harness.settings(qa_channel_ids=[news], message_content_intent=False)
    async with harness.running(without):
        mark = fake.mark()
        await fake.send_message(news, harness.alice, QUESTION)
        # A mention sent afterwards is answered first: the plain question was ignored.
        await fake.send_message(news, harness.alice, f"{fake.bot_mention} {QUESTION}")
        await fake.wait_for_bot_message(news, since=mark)
        await settle()
        (only,) = harness.bot_posts(mark)
        assert only.json["message_reference"] is not None
    identify = fake.frames.find(lambda frame: frame.op == 2)
    assert not identify[-1].data["intents"] & (1 << 15)


async def test_bots_and_itself_are_ignored(harness: Harness) -> None:
    fake = harness.fake
    robot = fake.make_user("robot", bot=True)
    await fake.add_member(harness.guild, robot)
    async with harness.running():
        mark = fake.mark()
        await fake.send_message(harness.general, robot, f"{fake.bot_mention} {QUESTION}")
        await fake.send_message(harness.general, harness.alice, f"{fake.bot_mention} {QUESTION}")
        reply = await fake.wait_for_bot_message(harness.general, since=mark)
        await settle()
        assert len(harness.bot_posts(mark)) == 1  # only alice was answered
        assert reply["referenced_message"]["author"]["id"] == harness.alice["id"]
        # The bot's own answers (echoed back by the fake) are not questions either.
        assert all(r.json.get("embeds") for r in harness.bot_posts(mark))


async def test_thread_mode_answers_in_a_new_thread(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running(harness.settings(thread_mode=True)):
        mark = fake.mark()
        asked = await fake.send_message(
            harness.general, harness.alice, f"{fake.bot_mention} {QUESTION}"
        )
        created = await fake.wait_for_request(
            method="POST",
            path=f"/channels/{harness.general}/messages/{asked['id']}/threads",
            since=mark,
        )
        assert created.json["name"] == QUESTION
        thread_id = int(created.response["id"])
        reply = await fake.wait_for_bot_message(thread_id, since=mark)
        assert "Luigi Di Maio" in reply["embeds"][0]["description"]


async def test_slash_ask_defers_then_follows_up_public_and_private(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running():
        public = await fake.slash_command(
            harness.general, harness.alice, "ask", {"question": QUESTION}
        )
        callback = await public.callback()
        assert callback.json["type"] == 5
        assert not (callback.json.get("data") or {}).get("flags", 0) & 64
        followup = await public.followup()
        assert followup.json["embeds"][0]["description"].startswith("> “")
        assert not followup.json.get("flags", 0) & 64
        assert_no_pings(followup.json)
        assert buttons(followup.json)

        private = await fake.slash_command(
            harness.general, harness.alice, "ask", {"question": QUESTION, "private": True}
        )
        callback = await private.callback()
        assert callback.json == {"type": 5, "data": {"flags": 64}}
        followup = await private.followup()
        assert followup.json["flags"] & 64
        shown = private.original_message()
        assert shown is not None and shown["flags"] & 64


async def test_not_found_is_plain_and_shows_the_closest_passage(harness: Harness) -> None:
    async with harness.running():
        reply = await harness.mention(harness.alice, "How many tanks did Italy send to Peru?")
        embed = reply["embeds"][0]
        assert embed["title"] == "Not found in the articles"
        assert "not an answer" in embed["description"]


async def test_over_long_questions_are_refused_politely(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running(harness.settings(max_question_chars=40)):
        reply = await harness.mention(harness.alice, "why " * 30)
        assert "please keep it under 40 characters" in reply["content"]
        assert not reply["embeds"]
        ix = await fake.slash_command(
            harness.general, harness.alice, "ask", {"question": "why " * 30}
        )
        answer = await ix.answer()
        assert "please keep it under 40" in answer["content"] and answer["flags"] & 64


async def test_cooldown_message_for_mentions_and_slash(harness: Harness) -> None:
    fake = harness.fake
    settings = harness.settings(cooldown_rate=1, cooldown_per_seconds=60)
    async with harness.running(settings):
        first = await harness.mention(harness.alice, QUESTION)
        assert first["embeds"]
        second = await harness.mention(harness.alice, QUESTION)
        assert second["content"].startswith("You're asking quickly — please try again in ")
        assert second["content"].endswith(" s.")
        ix = await fake.slash_command(harness.general, harness.alice, "ask", {"question": QUESTION})
        answer = await ix.answer()
        assert "try again in" in answer["content"] and answer["flags"] & 64
        # Told once per cooldown: more mentions get no more replies (no spam amplification).
        mark = fake.mark()
        await fake.send_message(harness.general, harness.alice, f"{fake.bot_mention} again?")
        other = await harness.mention(harness.root, QUESTION)  # someone else is not limited
        assert other["embeds"]
        await settle()
        assert len(harness.bot_posts(mark)) == 1


async def test_everyone_in_an_article_pings_nobody(harness: Harness) -> None:
    knowledge = harness.stories(
        {
            "ping.txt": (
                "Prank at the newsroom\n\nLONDON, May 9 (Reuters) - A prankster wrote @everyone "
                "and <@123> and **bold** on the newsroom whiteboard on Friday.\n"
            )
        }
    )
    fake = harness.fake
    async with harness.running(harness.settings(knowledge)):
        mark = fake.mark()
        reply = await harness.mention(
            harness.alice, "@everyone who wrote on the newsroom whiteboard on Friday?"
        )
        description = reply["embeds"][0]["description"]
        assert "@everyone" in description.replace("**", "") and "\\<@123\\>" in description
        assert "\\*\\*bold\\*\\*" in description
        for request in harness.bot_posts(mark):
            assert_no_pings(request.json)
        ix = await fake.slash_command(
            harness.general,
            harness.alice,
            "ask",
            {"question": "@here who wrote on the whiteboard?"},
        )
        followup = await ix.followup()
        assert_no_pings(followup.json)


async def test_limits_hold_for_a_huge_article_paragraph(harness: Harness) -> None:
    sentence = "The **harbour** crane lifted <@1> cargo [here](x) and @everyone cheered the crane. "
    huge = "Huge harbour story " + "x" * 400 + "\n\nLONDON, May 9 (Reuters) - " + sentence * 1500
    knowledge = harness.stories({"huge.txt": huge})
    fake = harness.fake
    async with harness.running(harness.settings(knowledge, quote_max_chars=1500)):
        mark = fake.mark()
        reply = await harness.mention(harness.alice, "What did the harbour crane lift?")
        (embed,) = reply["embeds"]
        assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
        ix = await fake.slash_command(
            harness.general, harness.alice, "ask", {"question": "crane cargo"}
        )
        assert (await ix.followup()).status == 200
        article = await fake.slash_command(
            harness.general, harness.alice, "article", {"title": "Huge harbour"}
        )
        shown = await article.answer()
        assert shown["embeds"] and len(shown["embeds"][0]["description"]) <= 4096
        assert all(request.status < 400 for request in fake.requests_to(since=mark))


async def test_429_on_the_answer_is_retried(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running():
        fault = fake.fail_next("POST", "/channels/*/messages", 429, retry_after=0.05)
        mark = fake.mark()
        reply = await harness.mention(harness.alice, QUESTION)
        assert reply["embeds"]
        posts = fake.requests_to("POST", f"/channels/{harness.general}/messages", since=mark)
        assert [request.status for request in posts] == [429, 200]
        assert fault.hits == 1
        assert button(reply, "dateline:fb:")


async def test_unexpected_errors_are_logged_and_answered_politely(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake = harness.fake
    async with harness.running() as bot:

        def broken(question: str, alternatives: int | None = None) -> None:
            raise RuntimeError("index exploded")

        monkeypatch.setattr(bot.service, "ask", broken)
        reply = await harness.mention(harness.alice, QUESTION)
        assert reply["content"].startswith("Something went wrong on my side")
        ix = await fake.slash_command(harness.general, harness.alice, "ask", {"question": QUESTION})
        followup = await ix.followup()
        assert followup.json["content"].startswith("Something went wrong on my side")
        assert followup.json["flags"] & 64
        assert "index exploded" not in reply["content"] + followup.json["content"]
        assert "command /ask (interaction" in caplog.text and "index exploded" in caplog.text


async def test_answers_keep_coming_when_the_database_is_unavailable(harness: Harness) -> None:
    unwritable = harness.tmp_path / "not-a-file"
    unwritable.mkdir()  # a directory cannot be opened as a database
    async with harness.running(harness.settings(database_path=unwritable)) as bot:
        assert bot.store is None
        reply = await harness.mention(harness.alice, QUESTION)
        up = button(reply, "dateline:fb:0:up")
        vote = await harness.fake.click_button(reply, up["custom_id"], harness.alice)
        thanks = await vote.callback()
        assert "could not be saved right now" in thanks.json["data"]["content"]

"""Buttons and browsing through the fake Discord: More results, feedback across a restart,
button expiry, /sources paging, /article autocomplete and /help."""

from __future__ import annotations

from pathlib import Path

import pytest

from .dateline_harness import Harness, button, buttons
from .fakes.discord_server import FakeDiscord
from .fakes.state import FakeGuild

pytestmark = pytest.mark.timeout(30)

BRIDGE_QUESTION = "Who opened the new bridge over the river?"


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


async def test_more_results_pages_for_the_asker_only(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running(harness.settings(harness.stories())):
        ix = await fake.slash_command(
            harness.general, harness.alice, "ask", {"question": BRIDGE_QUESTION}
        )
        await ix.followup()
        message = ix.original_message()
        assert message is not None
        first_title = message["embeds"][0]["title"]
        assert first_title == "Mayor opens river bridge"
        more = button(message, "More results")
        back = button(message, "◀ Back")
        assert back.get("disabled") and not more.get("disabled")

        stranger = await fake.click_button(message, more["custom_id"], harness.root)
        refused = await stranger.callback()
        assert refused.json["type"] == 4 and refused.json["data"]["flags"] & 64
        assert "Only the person who asked" in refused.json["data"]["content"]

        click = await fake.click_button(message, more["custom_id"], harness.alice)
        turned = await click.callback()
        assert turned.json["type"] == 7
        page_two = turned.json["data"]["embeds"][0]
        assert page_two["title"] != first_title and "(2 of " in page_two["footer"]["text"]
        message = fake.world.messages[int(message["id"])]
        assert not button(message, "◀ Back").get("disabled")

        back_click = await fake.click_button(
            message, button(message, "◀ Back")["custom_id"], harness.alice
        )
        again = await back_click.callback()
        assert again.json["data"]["embeds"][0]["title"] == first_title


async def test_feedback_is_recorded_and_keeps_working_after_a_restart(harness: Harness) -> None:
    fake = harness.fake
    settings = harness.settings(harness.stories())
    async with harness.running(settings):
        reply = await harness.mention(harness.alice, BRIDGE_QUESTION)
        up = button(reply, "dateline:fb:")
        question_id = int(up["custom_id"].split(":")[2])
        assert question_id > 0 and up["custom_id"].endswith(":up")
        vote = await fake.click_button(reply, up["custom_id"], harness.root)
        thanks = await vote.callback()
        assert thanks.json["type"] == 4 and thanks.json["data"]["flags"] & 64
        assert "helped" in thanks.json["data"]["content"]

    # A brand-new bot process: same database, no memory of the message.
    async with harness.running(settings) as second:
        message = fake.world.messages[int(reply["id"])]
        down = button(message, f"dateline:fb:{question_id}:down")
        vote = await fake.click_button(message, down["custom_id"], harness.alice)
        thanks = await vote.callback()
        assert thanks.json["type"] == 4 and "did not help" in thanks.json["data"]["content"]
        assert "could not be saved" not in thanks.json["data"]["content"]
        assert second.store is not None
        stats = await second.store.stats()
        assert stats is not None and (stats.feedback_up, stats.feedback_down) == (1, 1)


async def test_pager_buttons_expire_cleanly_and_feedback_survives(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running(harness.settings(harness.stories()), view_lifetime=0.2):
        mark = fake.mark()
        reply = await harness.mention(harness.alice, BRIDGE_QUESTION)
        edit = await fake.wait_for_request(
            method="PATCH", path=f"/channels/{harness.general}/messages/{reply['id']}", since=mark
        )
        assert edit.status == 200
        edited = {c.get("label") or c["custom_id"]: c for c in buttons(edit.json)}
        assert edited["More results"]["disabled"] and edited["◀ Back"]["disabled"]
        feedback = [c for c in buttons(edit.json) if c["custom_id"].startswith("dateline:fb:")]
        assert len(feedback) == 2 and not any(c.get("disabled") for c in feedback)
        # discord.py unregisters dynamic items when a view holding them stops; ours re-registers.
        message = fake.world.messages[int(reply["id"])]
        vote = await fake.click_button(message, feedback[0]["custom_id"], harness.alice)
        assert (await vote.callback()).json["type"] == 4


async def test_autocomplete_offers_at_most_25_titles_and_article_shows_one(
    harness: Harness,
) -> None:
    stories = {
        f"story{i:02}.txt": (
            f"Harbour story number {i} about the long quay " + "and more " * 20 + "\n\n"
            f"LONDON, May {1 + i % 28} (Reuters) - Story {i} happened at the harbour quay.\n"
        )
        for i in range(40)
    }
    fake = harness.fake
    async with harness.running(harness.settings(harness.stories(stories))):
        ix = await fake.autocomplete(
            harness.general, harness.alice, "article", {"title": "harbour"}, focused="title"
        )
        choices = await ix.choices()
        assert len(choices) == 25
        assert all(0 < len(c["name"]) <= 100 and 0 < len(c["value"]) <= 100 for c in choices)
        picked = choices[3]
        shown = await fake.slash_command(
            harness.general, harness.alice, "article", {"title": picked["value"]}
        )
        answer = await shown.answer()
        (embed,) = answer["embeds"]
        assert embed["title"].startswith("Harbour story number")
        assert embed["description"].startswith("**LONDON, May")
        assert ".txt" not in str(answer) and "File" not in [f["name"] for f in embed["fields"]]
        assert not answer.get("flags", 0) & 64  # public
        with pytest.raises(TimeoutError):  # a member gets no file path, not even privately
            await shown.followup(timeout=0.5)
        by_admin = await fake.slash_command(
            harness.general, harness.root, "article", {"title": picked["value"]}
        )
        assert ".txt" not in str(await by_admin.answer())
        private = (await by_admin.followup()).json
        assert private["flags"] & 64 and private["content"].startswith("File: `")
        assert ".txt`" in private["content"]
        unknown = await fake.slash_command(
            harness.general, harness.alice, "article", {"title": "no such story"}
        )
        refused = await unknown.answer()
        assert "No article matches" in refused["content"] and refused["flags"] & 64


async def test_sources_pages_with_buttons(harness: Harness) -> None:
    stories = {
        f"s{i:02}.txt": f"Story {i}\n\nLONDON, May 1 (Reuters) - Something {i} happened.\n"
        for i in range(14)
    }
    fake = harness.fake
    async with harness.running(harness.settings(harness.stories(stories))):
        ix = await fake.slash_command(harness.general, harness.alice, "sources")
        first = await ix.callback()
        assert first.json["type"] == 4 and first.json["data"]["flags"] & 64
        assert first.json["data"]["embeds"][0]["title"] == "Articles (14)"
        message = ix.original_message()
        assert message is not None
        nxt = button(message, "Next ▶")
        click = await fake.click_button(message, nxt["custom_id"], harness.alice)
        page = await click.callback()
        assert page.json["type"] == 7
        assert "Page 2 of 2" in page.json["data"]["embeds"][0]["footer"]["text"]


async def test_help_explains_usage(harness: Harness) -> None:
    fake = harness.fake
    settings = harness.settings(qa_channel_ids=[harness.news], message_content_intent=True)
    async with harness.running(settings):
        ix = await fake.slash_command(harness.general, harness.alice, "help")
        answer = await ix.answer()
        (embed,) = answer["embeds"]
        assert answer["flags"] & 64
        fields = {field["name"]: field["value"] for field in embed["fields"]}
        assert "/ask" in fields["Ask"] and f"<#{harness.news}>" in fields["Question channels"]


async def test_a_page_button_from_before_a_restart_says_it_has_expired(
    harness: Harness,
) -> None:
    fake = harness.fake
    settings = harness.settings(harness.stories())
    async with harness.running(settings):
        reply = await harness.mention(harness.alice, BRIDGE_QUESTION)
        more = button(reply, "More results")
        assert more["custom_id"].startswith("dateline:page:") and not more.get("disabled")
    async with harness.running(settings):  # a new process: that pager is gone
        stored = fake.world.messages[int(reply["id"])]
        assert not button(stored, "More results").get("disabled")  # still shown enabled
        old = await fake.click_button(stored, more["custom_id"], harness.alice)
        answer = await old.callback()
        assert answer.json["type"] == 4 and answer.json["data"]["flags"] & 64
        assert "This button has expired" in answer.json["data"]["content"]
        assert answer.json["data"]["allowed_mentions"] == {"parse": []}
        feedback = button(stored, "dateline:fb:")  # feedback buttons never expire
        vote = await fake.click_button(stored, feedback["custom_id"], harness.alice)
        assert "Thanks" in (await vote.callback()).json["data"]["content"]

"""`/admin stats` through the fake Discord: every way of asking is recorded, figures are per
server and per period, old rows are pruned at start-up, and a missing database is explained."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.records import Store, utc_now

from .dateline_harness import Harness, button
from .fakes.discord_server import FakeDiscord
from .fakes.state import FakeGuild

pytestmark = pytest.mark.timeout(30)

ANSWERED = "Who opened the new bridge over the river?"
UNANSWERED = "How many tanks did the navy buy?"


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


def fields(embed: dict[str, object]) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed["fields"]}  # type: ignore[attr-defined]


async def test_stats_count_every_way_of_asking_for_this_server(harness: Harness) -> None:
    fake = harness.fake
    bob = await fake.add_user(harness.guild, "bob")
    elsewhere = await fake.add_guild("Elsewhere", channels=("general",))
    await fake.add_member(elsewhere, harness.alice)
    settings = harness.settings(
        harness.stories(), qa_channel_ids=[harness.news], message_content_intent=True
    )
    async with harness.running(settings) as bot:
        reply = await harness.mention(harness.alice, ANSWERED)  # a mention
        ask = await fake.slash_command(harness.general, bob, "ask", {"question": ANSWERED})
        await ask.followup()  # /ask
        mark = fake.mark()
        await fake.send_message(harness.news, harness.alice, UNANSWERED)  # a Q&A channel
        await fake.wait_for_bot_message(harness.news, since=mark)
        again = await harness.mention(bob, UNANSWERED.upper().rstrip("?") + " !!")
        assert again["embeds"][0]["title"] == "Not found in the articles"
        # In another server: not part of this server's figures.
        await harness.mention(harness.alice, UNANSWERED, elsewhere.channel_id("general"))
        up = button(reply, "dateline:fb:")["custom_id"]
        for voter, custom_id in (
            (harness.alice, up),
            (bob, up),
            (harness.root, up.replace(":up", ":down")),
        ):
            vote = await fake.click_button(reply, custom_id, voter)
            await vote.callback()

        ix = await fake.slash_command(harness.general, harness.root, "admin stats")
        assert (await ix.callback()).json == {"type": 5, "data": {"flags": 64}}
        shown = (await ix.followup()).json
        assert shown["flags"] & 64
        embed = shown["embeds"][0]
        assert embed["title"] == "Dateline stats — the last 7 days"
        assert embed["description"] == "**4** questions asked, **2** answered (50 %)."
        values = fields(embed)
        assert values["Feedback"] == "👍 2 · 👎 1 — 67 % found the answer helpful"
        unanswered = values["Most asked, not answered — add articles about these"]
        assert unanswered == "`2×` how many tanks did the navy buy"
        assert values["Most-quoted articles"] == "`2×` Mayor opens river bridge"
        assert embed["footer"]["text"].startswith("This server · since ")

        everything = await fake.slash_command(
            harness.general, harness.root, "admin stats", {"period": "all"}
        )
        embed = (await everything.followup()).json["embeds"][0]
        assert embed["title"] == "Dateline stats — everything stored"
        assert embed["description"].startswith("**4** questions asked")

        assert bot.store is not None
        rows = await bot.store.audit_log(10)
        assert rows is not None
        assert [(row.action, row.result, row.detail.get("period")) for row in rows[:2]] == [
            ("admin stats", "ok", "all"),
            ("admin stats", "ok", "7d"),
        ]
        whole = await bot.store.stats()
        assert whole is not None and whole.questions_asked == 5  # the other server counts there


async def test_old_rows_are_pruned_at_start_up(harness: Harness) -> None:
    old = utc_now() - timedelta(days=40)
    with Store.open(harness.database) as store:
        store.record_question(
            question="an old one?", answered=False, front_end="discord", asked_at=old
        )
        store.record_question(question="a recent one?", answered=False, front_end="discord")
        store.record_audit(action="admin reload", result="ok", at=old)
    async with harness.running(harness.settings(retention_days=30)) as bot:
        assert bot.prune_loop.is_running()
        assert bot.store is not None
        for _ in range(100):
            stats = await bot.store.stats()
            if stats is not None and stats.questions_asked == 1:
                break
            await asyncio.sleep(0.02)
        assert stats is not None and stats.questions_asked == 1
        assert [entry.action for entry in await bot.store.audit_log() or []] == []
    assert not bot.prune_loop.is_running()  # cancelled on close


async def test_stats_without_a_database_say_so(harness: Harness) -> None:
    unusable = harness.tmp_path / "a-directory"
    unusable.mkdir()
    async with harness.running(harness.settings(database_path=unusable)) as bot:
        assert bot.store is None
        ix = await harness.fake.slash_command(harness.general, harness.root, "admin stats")
        embed = (await ix.followup()).json["embeds"][0]
        assert embed["title"] == "Statistics are unavailable"
        assert "Answers are not affected" in embed["description"]

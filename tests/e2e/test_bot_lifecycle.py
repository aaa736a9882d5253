"""Starting and stopping: `serve` runs until told to stop, a bad token exits 2 without leaking it,
the message-content intent must be enabled in the portal, and sharded start-up answers."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.frontends.discord.bot import DatelineBot
from bot.frontends.discord.launcher import EXIT_CONFIG, EXIT_OK, serve
from bot.settings import Settings

from .dateline_harness import Harness, QuickShardedBot
from .fakes.discord_server import FakeDiscord
from .fakes.state import FakeGuild

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


async def test_serve_answers_then_stops_cleanly(harness: Harness) -> None:
    started: list[DatelineBot] = []

    def factory(settings: Settings) -> DatelineBot:
        bot = DatelineBot(settings, guild_ready_timeout=0.1)
        started.append(bot)
        return bot

    stop = asyncio.Event()
    running = asyncio.create_task(
        serve(harness.settings(), harness.fake.token, stop=stop, factory=factory)
    )
    for _ in range(300):
        if started and started[0].is_ready():
            break
        await asyncio.sleep(0.01)
    reply = await harness.mention(harness.alice, "Who welcomed the planes?")
    assert reply["embeds"]
    stop.set()  # what SIGINT/SIGTERM do
    assert await asyncio.wait_for(running, 5) == EXIT_OK
    assert started[0].is_closed() and started[0].store is None


async def test_bad_token_exits_2_and_is_never_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "NOT.a-real.token-123456"
    caplog.set_level(logging.DEBUG)
    code = await serve(
        harness.settings(),
        secret,
        factory=lambda settings: DatelineBot(settings, guild_ready_timeout=0.1),
    )
    assert code == EXIT_CONFIG
    assert "Discord rejected DISCORD_TOKEN" in caplog.text
    assert secret not in caplog.text


async def test_message_content_intent_not_enabled_in_portal_exits_2(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.fake.gateway.allowed_intents = 0
    code = await serve(
        harness.settings(message_content_intent=True),
        harness.fake.token,
        factory=lambda settings: DatelineBot(settings, guild_ready_timeout=0.1),
    )
    assert code == EXIT_CONFIG
    assert "Message Content Intent" in caplog.text


async def test_sharded_bot_answers_on_every_shard(harness: Harness) -> None:
    fake = harness.fake
    second = await fake.add_guild("Second", channels=("general",), shard=1, shard_count=2)
    await fake.add_member(second, harness.alice)
    first_shard = await fake.add_guild("First", channels=("general",), shard=0, shard_count=2)
    await fake.add_member(first_shard, harness.alice)
    settings = harness.settings(shard_count=2, dev_guild_ids=[])
    async with harness.running(settings, cls=QuickShardedBot) as bot:
        assert bot.shard_count == 2 and len(fake.sessions()) == 2
        for guild in (first_shard, second):
            reply = await harness.mention(
                harness.alice, "Who welcomed the planes?", guild.channel_id("general")
            )
            assert reply["embeds"]


async def test_unreachable_discord_exits_1_with_one_line(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from discord.http import Route

    monkeypatch.setattr(Route, "BASE", "http://127.0.0.1:9/api/v10")  # nothing listens there
    code = await serve(
        harness.settings(),
        harness.fake.token,
        factory=lambda settings: DatelineBot(settings, guild_ready_timeout=0.1),
    )
    assert code == 1
    assert "could not connect to Discord" in caplog.text


async def test_start_up_logs_only_what_an_operator_can_act_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with harness.running(harness.settings(message_content_intent=False)):
        reply = await harness.mention(harness.alice, "Who welcomed the planes?")
        assert reply["embeds"]
    lines = [record.getMessage() for record in caplog.records]
    assert not [line for line in lines if "voice will NOT be supported" in line]
    assert not [line for line in lines if "Privileged message content intent" in line]
    intent = [line for line in lines if "message content intent" in line.casefold()]
    assert len(intent) == 1 and "mentions and slash commands work" in intent[0]
    assert "Q&A channels" in intent[0]

"""Two bot clients on different shards share one snapshot: a reload through one is answered
from the new knowledge by both.

Each client is what one shard process runs (`DATELINE_SHARD_COUNT=2`, `DATELINE_SHARD_IDS=0`
or `1`): its own service, the same knowledge folder and cache folder (the "shared volume").
`/admin reload` in the shard-0 guild rebuilds (only the new file is parsed) and publishes a
new snapshot; the shard-1 client notices the version file change and adopts it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from bot.frontends.discord.bot import DatelineBot
from bot.snapshot import SnapshotBuilder

from .dateline_harness import Harness, QuickShardedBot
from .fakes.discord_server import FakeDiscord
from .fakes.state import ADMINISTRATOR, FakeGuild

pytestmark = pytest.mark.timeout(60)

QUESTION = "How many tonnes did the harbour crane lift?"
NEW_ARTICLE = (
    "Crane sets a record\n\nPORTSMOUTH, June 2 (Reuters) - The harbour crane lifted a record "
    "90 tonnes on Friday, the port authority said.\n"
)


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


async def _guild(fake: FakeDiscord, name: str, shard: int, harness: Harness) -> FakeGuild:
    guild = await fake.add_guild(name, channels=("general",), shard=shard, shard_count=2)
    admin = await fake.add_role(guild, "Admin", ADMINISTRATOR)
    await fake.add_member(guild, harness.alice)
    await fake.add_member(guild, harness.root, roles=[admin])
    return guild


def _quote(reply: dict[str, Any]) -> str:
    return " ".join(str(embed.get("description", "")) for embed in reply.get("embeds", []))


async def _until(condition: Any, seconds: float) -> float:
    started = time.perf_counter()
    while not condition():
        assert time.perf_counter() - started < seconds, "not picked up in time"
        await asyncio.sleep(0.02)
    return time.perf_counter() - started


async def test_reload_on_one_shard_is_served_by_both(harness: Harness) -> None:
    fake = harness.fake
    first = await _guild(fake, "Shard zero", 0, harness)
    second = await _guild(fake, "Shard one", 1, harness)
    stories = harness.stories()

    def settings(shard: int) -> Any:
        return harness.settings(
            stories,
            use_snapshot=True,
            shard_count=2,
            shard_ids=[shard],
            snapshot_poll_seconds=0.1,
            dev_guild_ids=[first.id, second.id],
        )

    async with (
        harness.running(settings(0), cls=QuickShardedBot) as zero,
        harness.running(settings(1), cls=QuickShardedBot) as one,
    ):
        assert isinstance(zero, DatelineBot) and isinstance(one, DatelineBot)
        assert zero.shard_ids == [0] and one.shard_ids == [1]
        # Both serve the same published snapshot; the second process loaded it, parsed nothing.
        assert zero.service.snapshot_id is not None
        assert one.service.snapshot_id == zero.service.snapshot_id
        builder = one.service.builder
        assert isinstance(builder, SnapshotBuilder) and builder.last_stats is not None
        assert builder.last_stats.mode == "snapshot"
        for guild in (first, second):
            reply = await harness.mention(harness.alice, QUESTION, guild.channel_id("general"))
            assert "record 90" not in _quote(reply)

        (stories / "crane.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        reload = await fake.slash_command(first.channel_id("general"), harness.root, "admin reload")
        report = (await reload.followup()).json["embeds"][0]
        assert report["title"] == "Knowledge reloaded"
        zero_builder = zero.service.builder
        assert isinstance(zero_builder, SnapshotBuilder) and zero_builder.last_stats is not None
        assert zero_builder.last_stats.files_parsed == 1  # only the new file

        waited = await _until(lambda: one.service.snapshot_id == zero.service.snapshot_id, 5.0)
        assert waited < 5.0
        assert one.service.last_reload is not None and one.service.last_reload.added == ("crane",)
        for guild in (first, second):
            reply = await harness.mention(harness.alice, QUESTION, guild.channel_id("general"))
            assert "record 90" in _quote(reply), reply

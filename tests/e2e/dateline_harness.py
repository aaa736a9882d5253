"""Running the real Dateline bot against the fake Discord: settings, knowledge folders, helpers.

Each test starts its own bot (about a tenth of a second against the fake) with a temporary
database, so tests never share state. Commands are synced to the test guild through the
development-guild setting, exactly as a developer would run it.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.frontends.discord.bot import DatelineBot, ShardedDatelineBot
from bot.records import Store
from bot.settings import Settings, load_settings

from .fakes.discord_server import FakeDiscord
from .fakes.state import FakeGuild

REPO = Path(__file__).resolve().parents[2]
BUNDLED_KNOWLEDGE = REPO / "knowledge"
JSON = dict[str, Any]

# Four short wire stories that share words, so a question has alternatives to page through.
BRIDGE_STORIES = {
    "bridge.txt": (
        "Mayor opens river bridge\n\nLONDON, May 1 (Reuters) - The mayor opened the new bridge "
        "over the river on Monday. Crowds cheered as the first cars crossed.\n"
    ),
    "ferry.txt": (
        "Ferry service ends\n\nLONDON, May 2 (Reuters) - The river ferry stopped running after "
        "the new bridge opened. Its crew will move to the harbour.\n"
    ),
    "traffic.txt": (
        "Traffic eases in the centre\n\nLONDON, May 3 (Reuters) - Traffic on the old bridge fell "
        "by a third in the first week, the council said.\n"
    ),
    "tolls.txt": (
        "No tolls on the bridge\n\nLONDON, May 4 (Reuters) - The council ruled out tolls on the "
        "river crossing for at least five years.\n"
    ),
}


def write_articles(folder: Path, articles: Mapping[str, str]) -> Path:
    """Write `{file name: text}` into `folder` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


SESSION_VECTORS = Path(tempfile.gettempdir()) / f"dateline-test-vectors-{os.getpid()}"


class QuickShardedBot(ShardedDatelineBot):
    """discord.py waits 5 s before each extra IDENTIFY; the fake needs no pause."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


@dataclass
class Harness:
    """One fake Discord with a guild ("general", "news"), a member "alice" and an admin "root"."""

    fake: FakeDiscord
    guild: FakeGuild
    tmp_path: Path

    @property
    def general(self) -> int:
        return self.guild.channel_id("general")

    @property
    def news(self) -> int:
        return self.guild.channel_id("news")

    def user(self, name: str) -> JSON:
        return self.fake.user_named(name)

    @property
    def alice(self) -> JSON:
        return self.user("alice")

    @property
    def root(self) -> JSON:
        return self.user("root")

    @property
    def database(self) -> Path:
        return self.tmp_path / "dateline.sqlite3"

    def settings(self, knowledge: Path = BUNDLED_KNOWLEDGE, **overrides: Any) -> Settings:
        """Test settings: no `.env`, a temporary database and cache, commands synced here."""
        values: dict[str, Any] = {
            "_env_file": None,
            "knowledge_paths": [knowledge],
            "database_path": self.database,
            "cache_dir": self.tmp_path / "cache",
            "use_snapshot": False,
            "dev_guild_ids": [self.guild.id],
            "cooldown_rate": 50,
            # One vector cache for the whole run (keyed by text): each test's bot finds the
            # bundled story's vectors made, as a restarted bot would.
            "vector_dir": SESSION_VECTORS,
        }
        values.update(overrides)
        return load_settings(**values)

    def stories(self, articles: Mapping[str, str] = BRIDGE_STORIES, name: str = "stories") -> Path:
        return write_articles(self.tmp_path / name, articles)

    @asynccontextmanager
    async def running(
        self,
        settings: Settings | None = None,
        *,
        cls: Callable[..., DatelineBot] = DatelineBot,
        **options: Any,
    ) -> AsyncIterator[DatelineBot]:
        """Start a Dateline bot on the fake, ready and synced; close it afterwards."""
        options.setdefault("guild_ready_timeout", 0.1)
        bot = cls(settings or self.settings(), **options)
        async with self.fake.run_bot(bot):
            yield bot

    async def mention(self, author: JSON, question: str, channel: int | None = None) -> JSON:
        """Post `@Dateline question` and return the bot's reply (the created message)."""
        channel = channel if channel is not None else self.general
        mark = self.fake.mark()
        await self.fake.send_message(channel, author, f"{self.fake.bot_mention} {question}")
        return await self.fake.wait_for_bot_message(channel, since=mark)

    def bot_posts(self, since: int = 0) -> list[Any]:
        """Every successful message the bot created since `since`."""
        return [
            request
            for request in self.fake.requests_to("POST", "/channels/*/messages", since=since)
            if 200 <= request.status < 300
        ]

    def store(self) -> Store:
        """The test database, opened read-only alongside the bot."""
        return Store.open(self.database, read_only=True)


def buttons(message: JSON) -> list[JSON]:
    """Every button on a message (or a message payload sent by the bot)."""
    found: list[JSON] = []
    for row in message.get("components") or []:
        for component in row.get("components", []):
            if component.get("type") == 2:
                found.append(component)
    return found


def button(message: JSON, label_or_prefix: str) -> JSON:
    """The button whose label equals `label_or_prefix` or whose custom id starts with it."""
    for component in buttons(message):
        if component.get("label") == label_or_prefix or str(
            component.get("custom_id", "")
        ).startswith(label_or_prefix):
            return component
    raise AssertionError(f"no button {label_or_prefix!r} in {buttons(message)}")


def assert_no_pings(payload: JSON) -> None:
    """The payload allows no mention at all: no @everyone/@here, users, roles or reply ping."""
    allowed = payload["allowed_mentions"]
    assert allowed["parse"] == []
    assert not allowed.get("users") and not allowed.get("roles")
    assert not allowed.get("replied_user")


async def settle(seconds: float = 0.05) -> None:
    """Give the bot a moment to process what was dispatched (for "nothing happened" checks)."""
    await asyncio.sleep(seconds)

"""Fixtures for end-to-end tests against `FakeDiscord` (see fake_discord.py for its API)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .fakes.discord_server import FakeDiscord
from .fakes.state import ADMINISTRATOR, FakeGuild


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A running fake Discord with discord.py patched to use it (restored afterwards)."""
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            yield fake


@pytest.fixture
async def fake_guild(fake_discord: FakeDiscord) -> FakeGuild:
    """A guild with channels "general" and "news", role "Admin" (administrator), and members
    "alice" (no roles) and "root" (Admin); look users up with ``fake.user_named(name)``."""
    guild = await fake_discord.add_guild("Newsroom", channels=("general", "news"))
    admin = await fake_discord.add_role(guild, "Admin", ADMINISTRATOR)
    await fake_discord.add_user(guild, "alice")
    await fake_discord.add_user(guild, "root", roles=[admin])
    return guild

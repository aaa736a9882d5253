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


@pytest.fixture(scope="session", autouse=True)
def _vectors_made_once() -> None:
    """Load the encoder and embed the bundled story into the run's vector cache once, before
    any bot starts: each test's bot then starts as a restarted bot does, vectors in hand,
    instead of the first test paying the model load and the embedding inside its timeouts."""
    from bot.answers.neural import shared_stage
    from bot.knowledge import build_knowledge_base
    from bot.settings import load_settings
    from tests.e2e.dateline_harness import BUNDLED_KNOWLEDGE, SESSION_VECTORS

    settings = load_settings(_env_file=None, vector_dir=SESSION_VECTORS, use_snapshot=False)
    _, stage = shared_stage(settings)
    if stage is not None:
        knowledge = build_knowledge_base(settings, [BUNDLED_KNOWLEDGE])
        stage.embed_missing(list(stage.knowledge_texts(knowledge)))
        stage.vectors.flush()

"""The tree error handler's words for users, and the admin check's grants (no Discord needed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.errors import KnowledgeError, ReloadInProgressError
from bot.frontends.discord.checks import NotAdmin, admin_grant
from bot.frontends.discord.errors import user_message


def test_cooldown_is_recognised_before_the_generic_check_failure() -> None:
    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 60), 12.2)
    assert isinstance(cooldown, app_commands.CheckFailure)
    assert user_message(cooldown) == "You're asking quickly — please try again in 13 s."
    assert "Only server admins" in (user_message(NotAdmin()) or "")
    assert (
        user_message(app_commands.NoPrivateMessage()) == "This command only works inside a server."
    )
    assert user_message(app_commands.CheckFailure()) == "You can't use this command here."


def test_wrapped_errors_are_unwrapped_and_unexpected_ones_return_none() -> None:
    command: Any = SimpleNamespace(name="ask", qualified_name="ask")
    wrapped = app_commands.CommandInvokeError(command, ReloadInProgressError("busy"))
    assert user_message(wrapped) == "A reload is already running; try again when it finishes."
    assert user_message(app_commands.CommandInvokeError(command, KnowledgeError("no files"))) == (
        "no files"
    )
    assert user_message(app_commands.CommandInvokeError(command, RuntimeError("x"))) is None


def interaction(*, guild_id: int | None = 1, user_id: int = 5, permissions: int = 0) -> Any:
    """Just what `admin_grant` reads; the application-owner grant is covered end to end."""
    return SimpleNamespace(
        guild_id=guild_id,
        user=SimpleNamespace(id=user_id),
        permissions=discord.Permissions(permissions),
        client=object(),
    )


async def test_admin_grants() -> None:
    manage = discord.Permissions(manage_guild=True).value
    admin = discord.Permissions(administrator=True).value
    assert await admin_grant(interaction(permissions=manage)) == "manage_guild"
    assert await admin_grant(interaction(permissions=admin)) == "manage_guild"
    assert await admin_grant(interaction(), admin_user_ids=[5]) == "admin_user"
    assert await admin_grant(interaction(), admin_role_ids=[9]) is None  # not a Member
    assert await admin_grant(interaction()) is None
    with pytest.raises(app_commands.NoPrivateMessage):
        await admin_grant(interaction(guild_id=None, permissions=admin))

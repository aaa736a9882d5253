"""Who may run admin commands: the real, server-side check behind `default_permissions`.

`default_permissions(manage_guild=True)` only hides commands in the client, and a server can
override it in its integration settings, so every admin command also runs this check against
the interaction itself: Manage Server (or Administrator) in that server, a configured admin
role, a configured admin user, or the application's owner. Direct messages are refused.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.frontends.discord import render

AdminGrant = Literal["admin_user", "manage_guild", "admin_role", "owner"]


class NotAdmin(app_commands.CheckFailure):
    """The member lacks every admin grant; the message is safe to show them."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or render.refusal_message())


def has_admin_role(user: discord.abc.User, role_ids: Collection[int]) -> bool:
    """Whether a member holds one of `role_ids`.

    Reads the role ids the interaction itself carries, so it works even when the server's
    roles are not cached.
    """
    if not role_ids or not isinstance(user, discord.Member):
        return False
    held = user._roles  # the ids from the payload; Member.roles needs the role cache
    return any(held.has(role_id) for role_id in role_ids)


async def admin_grant(
    interaction: discord.Interaction[Any],
    *,
    admin_user_ids: Collection[int] = (),
    admin_role_ids: Collection[int] = (),
) -> AdminGrant | None:
    """Why this user may administer Dateline here, or None. Raises `NoPrivateMessage` in DMs."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("Admin commands only work inside a server.")
    user = interaction.user
    if user.id in admin_user_ids:
        return "admin_user"
    permissions = interaction.permissions
    if permissions.administrator or permissions.manage_guild:
        return "manage_guild"
    if has_admin_role(user, admin_role_ids):
        return "admin_role"
    client = interaction.client
    if isinstance(client, commands.Bot) and await client.is_owner(user):
        return "owner"
    return None

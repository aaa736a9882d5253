"""The one error handler of the command tree: polite words for members, context for the log.

Order matters: `CommandOnCooldown` subclasses `CheckFailure`, so it is tested first.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.errors import DatelineError, ReloadInProgressError
from bot.frontends.discord import render
from bot.frontends.discord.checks import NotAdmin

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on my side; it has been logged. Please try again later."


def user_message(error: app_commands.AppCommandError) -> str | None:
    """What to tell the user about `error`, or None when it is unexpected (then it is logged)."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, app_commands.CommandOnCooldown):
        return render.cooldown_message(original.retry_after)
    if isinstance(original, app_commands.NoPrivateMessage):
        return "This command only works inside a server."
    if isinstance(original, NotAdmin):
        return str(original)
    if isinstance(original, app_commands.BotMissingPermissions):
        missing = ", ".join(name.replace("_", " ") for name in original.missing_permissions)
        return f"I am missing permissions here: {missing}."
    if isinstance(original, app_commands.CheckFailure):
        return "You can't use this command here."
    if isinstance(original, app_commands.TransformerError):
        return "That value isn't valid for this option."
    if isinstance(original, ReloadInProgressError):
        return "A reload is already running; try again when it finishes."
    if isinstance(original, discord.Forbidden):
        return "Discord did not let me do that here (missing permission)."
    if isinstance(original, DatelineError):
        return str(original)
    return None


def describe(interaction: discord.Interaction[Any]) -> str:
    """Where an error happened, for the log (ids only: no message text, no tokens)."""
    command = interaction.command.qualified_name if interaction.command is not None else "?"
    return (
        f"command /{command} (interaction {interaction.id}, user {interaction.user.id}, "
        f"guild {interaction.guild_id}, channel {interaction.channel_id})"
    )


async def handle_tree_error(
    interaction: discord.Interaction[Any], error: app_commands.AppCommandError
) -> None:
    """Answer the user in private; log anything unexpected with its traceback."""
    message = user_message(error)
    if message is None:
        original = getattr(error, "original", error)
        log.error("%s failed", describe(interaction), exc_info=original)
        message = UNEXPECTED
    else:
        log.info("%s refused: %s", describe(interaction), type(error).__name__)
    if interaction.type is discord.InteractionType.autocomplete:
        return  # an autocomplete request cannot carry a message; the user just sees no choices
    await send_private(interaction, message)


async def send_private(interaction: discord.Interaction[Any], message: str) -> None:
    """An ephemeral message, whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(
                render.content(message), ephemeral=True, allowed_mentions=render.NO_MENTIONS
            )
        else:
            await interaction.response.send_message(
                render.content(message), ephemeral=True, allowed_mentions=render.NO_MENTIONS
            )
    except discord.HTTPException as failure:
        log.warning("could not tell the user about an error: %s", failure)


class DatelineTree(app_commands.CommandTree[Any]):
    """The command tree with Dateline's single error handler."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        await handle_tree_error(interaction, error)

"""`/admin reload | reload-extensions | status | sync | stats`: server admins run the bot.

Hidden from members by `default_permissions(manage_guild=True)` and *enforced* by
`interaction_check` (see `checks.py`), which also writes every refusal to the audit trail.
Replies are ephemeral: only the admin who asked sees them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.checks import NotAdmin, admin_grant
from bot.discord_app.render_stats import (
    PERIODS,
    StatsContext,
    StatsPeriod,
    stats_embed,
    stats_unavailable_embed,
)
from bot.errors import ReloadInProgressError

if TYPE_CHECKING:
    from bot.discord_app.bot import DatelineBot

log = logging.getLogger(__name__)

SYNC_COOLDOWN_SECONDS = 60.0
SyncScope = Literal["guild", "global", "clear"]


def _action(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    return command.qualified_name if command is not None else "admin"


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class AdminCog(
    commands.GroupCog,
    group_name="admin",
    group_description="Run Dateline: reload, status, stats, knowledge files (server admins only)",
):
    """Admin commands, one group."""

    def __init__(self, bot: DatelineBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """The real permission check; refusals are audited before the user is told."""
        settings = self.bot.settings
        try:
            grant = await admin_grant(
                interaction,
                admin_user_ids=settings.admin_user_ids,
                admin_role_ids=settings.admin_role_ids,
            )
        except app_commands.NoPrivateMessage:
            await self.bot.audit(
                interaction, _action(interaction), "refused", message="direct message"
            )
            raise
        if grant is None:
            await self.bot.audit(
                interaction, _action(interaction), "refused", message="not an admin"
            )
            raise NotAdmin()
        interaction.extras["admin_grant"] = grant
        return True

    async def _done(
        self,
        interaction: discord.Interaction[Any],
        detail: dict[str, Any],
        message: str = "",
        result: Literal["ok", "error", "refused"] = "ok",
    ) -> None:
        detail = {"grant": interaction.extras.get("admin_grant"), **detail}
        await self.bot.audit(
            interaction, _action(interaction), result, detail=detail, message=message
        )

    @app_commands.command(
        name="reload", description="Reload the articles from disk without a restart"
    )
    async def reload(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            report = await self.bot.reload_knowledge()
        except ReloadInProgressError:
            await self._done(interaction, {}, "a reload was already running", result="refused")
            await interaction.followup.send(
                "A reload is already running; try again when it finishes.", ephemeral=True
            )
            return
        await self._done(
            interaction,
            {
                "articles": report.articles,
                "passages": report.passages,
                "added": len(report.added),
                "removed": len(report.removed),
                "changed": len(report.changed),
                "problems": len(report.problems),
                "seconds": round(report.seconds, 3),
            },
            report.summary(),
            result="ok" if report.ok else "error",
        )
        await interaction.followup.send(embed=render.reload_embed(report), ephemeral=True)

    @app_commands.command(
        name="reload-extensions",
        description="Hot-reload the bot's cogs (a failing one is rolled back)",
    )
    async def reload_extensions(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        results = await self.bot.reload_all_extensions()
        failed = [result.name for result in results if not result.ok]
        await self._done(
            interaction,
            {"failed": failed, "reloaded": len(results) - len(failed)},
            result="error" if failed else "ok",
        )
        await interaction.followup.send(embed=render.extensions_embed(results), ephemeral=True)

    @app_commands.command(
        name="status", description="Uptime, articles, last reload, latency, version"
    )
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        bot = self.bot
        service = bot.service
        knowledge = service.knowledge
        shard = None
        if bot.shard_count is not None:
            here = interaction.guild.shard_id if interaction.guild is not None else 0
            shard = f"{bot.shard_count} (this server: shard {here})"
        info = render.StatusInfo(
            version=bot.version,
            discord_version=discord.__version__,
            started_at=service.started_at,
            articles=knowledge.article_count,
            passages=knowledge.passage_count,
            last_reload=service.last_reload,
            reloading=service.reloading,
            latency_seconds=bot.latency,
            guilds=len(bot.guilds),
            shard=shard,
            storage="ok" if bot.store is not None else "disabled",
        )
        await self._done(interaction, {})
        await interaction.response.send_message(embed=render.status_embed(info), ephemeral=True)

    @app_commands.command(
        name="sync", description="Publish the slash commands to this server or globally"
    )
    @app_commands.describe(
        scope="guild: this server, instantly (default) · global: every server, can take an hour · "
        "clear: remove this server's copies"
    )
    @app_commands.checks.cooldown(
        1, SYNC_COOLDOWN_SECONDS, key=lambda interaction: interaction.guild_id
    )
    async def sync(self, interaction: discord.Interaction[Any], scope: SyncScope = "guild") -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        tree = self.bot.tree
        guild = interaction.guild or discord.Object(id=interaction.guild_id or 0)
        if scope == "global":
            synced = await tree.sync()
            text = (
                f"Synced {len(synced)} commands globally; "
                "Discord may take up to an hour to show them everywhere."
            )
        elif scope == "clear":
            tree.clear_commands(guild=guild)
            await tree.sync(guild=guild)
            text = "Removed this server's copies of the commands; the global ones remain."
        else:
            tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
            text = f"Synced {len(synced)} commands to this server."
        await self._done(interaction, {"scope": scope}, text)
        await interaction.followup.send(text, ephemeral=True)

    @app_commands.command(
        name="stats", description="Questions asked and answered, what to add next, feedback"
    )
    @app_commands.describe(period="Which period (default: the last 7 days)")
    async def stats(
        self, interaction: discord.Interaction[Any], period: StatsPeriod = "7d"
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.bot.store
        span = PERIODS[period]
        since = datetime.now(UTC) - span if span is not None else None
        figures = (
            await store.stats(since=since, guild_id=interaction.guild_id)
            if store is not None
            else None
        )
        if figures is None:
            await self._done(interaction, {"period": period}, "database unavailable", "error")
            await interaction.followup.send(embed=stats_unavailable_embed(), ephemeral=True)
            return
        knowledge = self.bot.service.knowledge
        context = StatsContext(
            period=period,
            titles={article.id: article.title for article in knowledge.articles},
            retention_days=self.bot.settings.retention_days,
        )
        await self._done(
            interaction,
            {"period": period, "asked": figures.questions_asked},
        )
        await interaction.followup.send(embed=stats_embed(figures, context), ephemeral=True)


async def setup(bot: DatelineBot) -> None:
    """Extension entry point."""
    await bot.add_cog(AdminCog(bot))

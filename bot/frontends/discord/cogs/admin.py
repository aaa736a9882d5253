"""`/admin reload | reload-extensions | status | sync | stats | knowledge add|remove|list`.

Hidden from members by `default_permissions(manage_guild=True)` and *enforced* by
`interaction_check` (see `checks.py`), which also writes every refusal to the audit trail;
autocomplete (which discord.py does not run checks for) offers nothing to non-admins.
Every outcome, refused and failed ones included, is audited. Replies are ephemeral.

`knowledge add` checks the attachment's name and size *before* downloading it, then hands the
bytes to `knowledge_files.add_article_file` (parsed and validated before anything is written,
then written atomically) and reloads.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import KnowledgeError, ReloadInProgressError
from bot.frontends.discord import render
from bot.frontends.discord.autocomplete import (
    article_files,
    file_choices,
    resolve_file,
    titles_by_file,
    titles_of,
)
from bot.frontends.discord.checks import NotAdmin
from bot.frontends.discord.render import (
    PERIODS,
    StatsContext,
    StatsPeriod,
    stats_embed,
    stats_unavailable_embed,
)
from bot.frontends.discord.views import KnowledgeFilesView
from bot.knowledge import (
    UnsafeFilenameError,
    UploadRejectedError,
    UploadTooLargeError,
    add_article_file,
    remove_article_file,
    sanitise_filename,
    stale_among,
    upload_folder,
)
from bot.serving import ReloadReport

if TYPE_CHECKING:
    from bot.frontends.discord.bot import DatelineBot

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

    knowledge = app_commands.Group(
        name="knowledge", description="Add, remove and list the article files"
    )

    def __init__(self, bot: DatelineBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """The real permission check; refusals are audited before the user is told."""
        try:
            grant = await self.bot.admin_grant(interaction)
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
    @app_commands.describe(
        force="Go ahead even if the reload would remove most articles or a knowledge path is "
        "missing"
    )
    async def reload(self, interaction: discord.Interaction[Any], force: bool = False) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            report = await self.bot.reload_knowledge(force=force)
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
                "force": force,
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
            reranker=await asyncio.to_thread(service.reranker_summary),
            stale=stale_among(knowledge.report.problems),
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

    # --- knowledge files ----------------------------------------------------------------------

    async def _refuse(
        self,
        interaction: discord.Interaction[Any],
        detail: dict[str, Any],
        reason: str,
        problems: tuple[Any, ...] = (),
        result: Literal["refused", "error"] = "refused",
    ) -> None:
        await self._done(interaction, detail, reason, result)
        embed = render.rejected_embed(reason, problems)
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)

    @knowledge.command(name="add", description="Add an article file (.txt .md .json .jsonl)")
    @app_commands.describe(
        file="The article: .txt, .md, .json or .jsonl",
        replace="Overwrite a file of the same name (the old one goes to the trash)",
    )
    async def knowledge_add(
        self,
        interaction: discord.Interaction[Any],
        file: discord.Attachment,
        replace: bool = False,
    ) -> None:
        settings = self.bot.settings
        limit = settings.upload_max_bytes
        detail: dict[str, Any] = {"size": file.size, "replace": replace}
        try:  # before downloading anything
            name = sanitise_filename(file.filename)
            detail["file"] = name
            if file.size > limit:
                raise UploadTooLargeError(
                    f"the file is {file.size:,} bytes, over the {limit:,}-byte upload limit"
                )
            folder = upload_folder(self.bot.service.paths)
        except UnsafeFilenameError as error:
            await self._refuse(interaction, detail, f"{error}.")
            return
        except KnowledgeError as error:
            await self._refuse(interaction, detail, f"Not added: {error}.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as error:
            log.warning("could not download attachment %s: %s", file.id, error)
            await self._refuse(
                interaction, detail, "Could not download the attachment; try again.", result="error"
            )
            return
        try:
            result = await asyncio.to_thread(
                add_article_file,
                folder,
                file.filename,
                data,
                replace=replace,
                max_bytes=limit,
                passage_words=settings.passage_words,
            )
        except UploadRejectedError as error:
            await self._refuse(interaction, detail, f"{error}.", error.problems)
            return
        except KnowledgeError as error:
            log.error("knowledge add %s failed: %s", detail.get("file"), error)
            await self._refuse(interaction, detail, f"Not added: {error}.", result="error")
            return
        report = await self.bot.reload_when_free()
        detail.update(
            articles=len(result.articles),
            passages=result.passage_count,
            warnings=len(result.warnings),
            replaced=result.replaced,
            reload=_reload_state(report),
        )
        await self._done(
            interaction,
            detail,
            f"{result.filename}: {result.title!r}",
            "ok" if render.reload_ok(report) else "error",
        )
        await interaction.followup.send(embed=render.added_embed(result, report), ephemeral=True)

    @knowledge.command(name="remove", description="Move an article file to the trash and reload")
    @app_commands.describe(article="Start typing a file name or an article title")
    async def knowledge_remove(self, interaction: discord.Interaction[Any], article: str) -> None:
        detail: dict[str, Any] = {"given": article[:200]}
        try:
            folder = upload_folder(self.bot.service.paths)
        except KnowledgeError as error:
            await self._refuse(interaction, detail, f"{error}.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        knowledge = self.bot.service.knowledge
        entries = await asyncio.to_thread(article_files, folder, knowledge)
        titles = titles_by_file(knowledge)
        entry = resolve_file(entries, titles, article)
        if entry is None:
            await self._refuse(
                interaction,
                detail,
                "No article file matches that; pick one of the suggestions "
                "(`/admin knowledge list` shows every file).",
            )
            return
        detail["file"] = entry.relative_path
        try:
            await asyncio.to_thread(remove_article_file, folder, entry.relative_path)
        except KnowledgeError as error:
            await self._refuse(interaction, detail, f"Not removed: {error}.", result="error")
            return
        # The admin asked for this article to go: its removal needs no second confirmation.
        report = await self.bot.reload_when_free(force=True)
        detail["reload"] = _reload_state(report)
        await self._done(
            interaction,
            detail,
            entry.relative_path,
            "ok" if render.reload_ok(report) else "error",
        )
        removed_titles = titles_of(entry, titles)
        await interaction.followup.send(
            embed=render.removed_embed(entry.relative_path, removed_titles, report),
            ephemeral=True,
        )

    @knowledge_remove.autocomplete("article")
    async def knowledge_remove_article(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            grant = await self.bot.admin_grant(interaction)
            folder = upload_folder(self.bot.service.paths)
        except (app_commands.NoPrivateMessage, KnowledgeError):
            return []
        if grant is None:
            return []  # file names are for admins only
        knowledge = self.bot.service.knowledge
        entries = await asyncio.to_thread(article_files, folder, knowledge)
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in file_choices(entries, titles_by_file(knowledge), current)
        ]

    @knowledge.command(name="list", description="Page through the article files and problems")
    @app_commands.describe(problems="Only files with problems or not yet loaded")
    async def knowledge_list(
        self, interaction: discord.Interaction[Any], problems: bool = False
    ) -> None:
        try:
            folder = upload_folder(self.bot.service.paths)
        except KnowledgeError as error:
            await self._refuse(interaction, {}, f"{error}.")
            return
        entries = await asyncio.to_thread(article_files, folder, self.bot.service.knowledge)
        if problems:
            entries = [entry for entry in entries if entry.problems or not entry.loaded]
        view = KnowledgeFilesView(
            self.bot,
            interaction.user.id,
            entries,
            only_problems=problems,
            lifetime=self.bot.view_lifetime,
        )
        await self._done(interaction, {"files": len(entries), "problems_only": problems})
        await view.send_private(interaction)


def _reload_state(report: ReloadReport | None) -> str:
    if report is None:
        return "busy"
    return "ok" if report.ok else "failed"


async def setup(bot: DatelineBot) -> None:
    """Extension entry point."""
    await bot.add_cog(AdminCog(bot))

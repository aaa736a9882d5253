"""Browsing: `/sources` (paged list), `/article title:` (with autocomplete) and `/help`."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.frontends.discord import render
from bot.frontends.discord.autocomplete import ArticleCatalog
from bot.frontends.discord.views import SourcesView
from bot.knowledge import KnowledgeBase
from bot.serving import ReloadReport

if TYPE_CHECKING:
    from bot.frontends.discord.bot import DatelineBot

log = logging.getLogger(__name__)


class LibraryCog(commands.Cog, name="Library"):
    """What the knowledge base holds, and how to use the bot."""

    def __init__(self, bot: DatelineBot) -> None:
        self.bot = bot
        self._catalog: ArticleCatalog | None = None
        self._catalog_of: KnowledgeBase | None = None

    async def cog_load(self) -> None:
        self.catalog()  # ready before the first keystroke

    def catalog(self) -> ArticleCatalog:
        """The title index of the snapshot serving right now (rebuilt when it changes)."""
        knowledge = self.bot.service.knowledge
        if self._catalog is None or self._catalog_of is not knowledge:
            self._catalog = ArticleCatalog(knowledge.articles)
            self._catalog_of = knowledge
        return self._catalog

    @commands.Cog.listener()
    async def on_dateline_knowledge_changed(self, report: ReloadReport) -> None:
        if report.ok:
            self.catalog()

    @app_commands.command(name="sources", description="List the articles Dateline answers from.")
    async def sources(self, interaction: discord.Interaction[Any]) -> None:
        articles = self.bot.service.knowledge.articles
        view = SourcesView(self.bot, interaction.user.id, articles, lifetime=self.bot.view_lifetime)
        await view.send_private(interaction)

    @app_commands.command(
        name="article", description="Show one article: dateline, title, lead, source."
    )
    @app_commands.describe(title="Start typing a title and pick from the list")
    async def article(self, interaction: discord.Interaction[Any], title: str) -> None:
        found = self.catalog().resolve(title)
        if found is None:
            await interaction.response.send_message(
                render.article_not_found_message(title),
                ephemeral=True,
                allowed_mentions=render.NO_MENTIONS,
            )
            return
        knowledge = self.bot.service.knowledge
        counts = await asyncio.to_thread(knowledge.passage_counts)  # one pass over the passages
        passages = counts[found.id]
        admin = interaction.guild_id is not None and await self._is_admin(interaction)
        await interaction.response.send_message(
            embed=render.article_embed(found, passages), allowed_mentions=render.NO_MENTIONS
        )
        if admin:
            await interaction.followup.send(
                render.article_file_message(found),
                ephemeral=True,
                allowed_mentions=render.NO_MENTIONS,
            )

    async def _is_admin(self, interaction: discord.Interaction[Any]) -> bool:
        """Server paths are for admins (checked here, server-side, like every admin path)."""
        try:
            grant = await self.bot.admin_grant(interaction)
        except discord.HTTPException as error:  # the owner lookup: no path, not no answer
            log.warning("could not check /article's caller for admin rights: %s", error)
            return False
        return grant is not None

    @article.autocomplete("title")
    async def article_title(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in self.catalog().choices(current)
        ]

    @app_commands.command(name="help", description="How to ask Dateline questions.")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        settings = self.bot.settings
        me = self.bot.user
        context = render.HelpContext(
            bot_mention=f"@{me.display_name}" if me is not None else "@Dateline",
            qa_channel_mentions=tuple(f"<#{channel}>" for channel in settings.qa_channel_ids),
            channel_questions_enabled=self.bot.intents.message_content,
            thread_mode=settings.thread_mode,
            cooldown_rate=settings.cooldown_rate,
            cooldown_seconds=settings.cooldown_per_seconds,
            max_question_chars=settings.max_question_chars,
        )
        await interaction.response.send_message(
            embed=render.help_embed(context), ephemeral=True, allowed_mentions=render.NO_MENTIONS
        )


async def setup(bot: DatelineBot) -> None:
    """Extension entry point."""
    await bot.add_cog(LibraryCog(bot))

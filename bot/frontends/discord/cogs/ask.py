"""Asking: mentions, Q&A channels (optionally answered in a thread), and `/ask`.

One path for every way of asking: refuse an over-long question, apply the per-user cooldown,
answer off the event loop, record the outcome (answered or not, for /admin stats; a slow
database never holds the answer back), and reply with the answer embed and its buttons.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import Answer
from bot.frontends.discord import render
from bot.frontends.discord.delivery import deliver
from bot.frontends.discord.errors import UNEXPECTED
from bot.frontends.discord.triggers import looks_like_question, strip_mentions, without_markup
from bot.frontends.discord.views import AnswerView

if TYPE_CHECKING:
    from bot.frontends.discord.bot import DatelineBot

log = logging.getLogger(__name__)

_WARNED_SWEEP_AT = 1024


class AskCog(commands.Cog, name="Ask"):
    """Questions in channels and by slash command."""

    def __init__(self, bot: DatelineBot) -> None:
        self.bot = bot
        self._warned: dict[int, float] = {}  # user id -> until when they were told to wait

    # --- channel messages ------------------------------------------------------------------

    def question_in(self, message: discord.Message) -> tuple[str, bool] | None:
        """(question, was the bot mentioned) if this message asks Dateline something."""
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return None
        guild = message.guild
        role_ids = [guild.self_role.id] if guild is not None and guild.self_role is not None else []
        mentioned = any(user.id == me.id for user in message.mentions) or any(
            role.id in role_ids for role in message.role_mentions
        )
        text = strip_mentions(message.content, me.id, role_ids)
        if mentioned:
            return text, True
        if guild is None:  # a direct message: no mention needed, but it must ask something
            return (text, False) if looks_like_question(text) else None
        if self._in_qa_channel(message) and looks_like_question(text):
            return text, False
        return None

    def _in_qa_channel(self, message: discord.Message) -> bool:
        settings = self.bot.settings
        if not settings.qa_channel_ids or not self.bot.intents.message_content:
            return False
        channel = message.channel
        if channel.id in settings.qa_channel_ids:
            return True
        parent_id = getattr(channel, "parent_id", None)
        return isinstance(channel, discord.Thread) and parent_id in settings.qa_channel_ids

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        found = self.question_in(message)
        if found is None:
            return
        try:
            await self.answer_message(message, without_markup(found[0]))
        except Exception:
            log.exception(
                "answering message %s (user %s, channel %s) failed",
                message.id,
                message.author.id,
                message.channel.id,
            )
            await self._reply(message, UNEXPECTED)

    async def answer_message(self, message: discord.Message, question: str) -> None:
        """Refuse politely, or answer with the embed and its buttons."""
        if not question:
            me = self.bot.user
            hint = render.empty_question_message(me.mention if me else "@Dateline")
            await self._reply(message, hint)
            return
        limit = self.bot.settings.max_question_chars
        if len(question) > limit:  # checked first: a refused question does not use up the rate
            await self._reply(message, render.too_long_message(len(question), limit))
            return
        retry_after = self.bot.question_cooldown.hit(message.author.id)
        if retry_after is not None:
            if self._first_warning(message.author.id, retry_after):
                await self._reply(message, render.cooldown_message(retry_after))
            return
        try:
            # One typing signal: answers take milliseconds, and Discord clears the indicator
            # as soon as our reply arrives.
            await message.channel.typing()
        except discord.HTTPException as error:
            log.debug("typing indicator failed: %s", error)
        answer = await self.bot.answer(question)
        reply = render.answer_reply(answer)
        if reply.embed is None:
            await self._reply(message, reply.content)
            return
        pending = self.bot.record_question(
            answer,
            guild_id=message.guild.id if message.guild else None,
            channel_id=message.channel.id,
            user_id=message.author.id,
        )
        view = self._view(answer, message.author.id, await pending.settle())
        sent = await self._send_answer(message, reply.thread_name, reply.embed, view)
        if sent is not None:
            view.attach(sent.edit)
            await pending.link(sent.id)

    def _first_warning(self, user_id: int, retry_after: float) -> bool:
        """Say "try again in N s" once per cooldown, so spamming the bot cannot make it spam."""
        now = time.monotonic()
        if self._warned.get(user_id, 0.0) > now:
            return False
        if len(self._warned) > _WARNED_SWEEP_AT:
            self._warned = {user: until for user, until in self._warned.items() if until > now}
        self._warned[user_id] = now + retry_after
        return True

    def _view(self, answer: Answer, asker_id: int, question_id: int | None) -> AnswerView:
        return AnswerView(self.bot, answer, asker_id, question_id, lifetime=self.bot.view_lifetime)

    async def _reply(self, message: discord.Message, text: str) -> None:
        try:
            await deliver(
                lambda: message.channel.send(
                    render.content(text),
                    reference=message.to_reference(fail_if_not_exists=False),
                    allowed_mentions=render.NO_MENTIONS,
                ),
                what="message",
            )
        except discord.HTTPException as error:
            log.warning("could not reply in channel %s: %s", message.channel.id, error)

    async def _send_answer(
        self, message: discord.Message, thread_name: str, embed: discord.Embed, view: AnswerView
    ) -> discord.Message | None:
        thread = await self._thread_for(message, thread_name)
        try:
            if thread is not None:
                return await deliver(
                    lambda: thread.send(
                        embed=embed, view=view, allowed_mentions=render.NO_MENTIONS
                    ),
                    what="answer",
                )
            return await deliver(
                lambda: message.channel.send(
                    embed=embed,
                    view=view,
                    reference=message.to_reference(fail_if_not_exists=False),
                    allowed_mentions=render.NO_MENTIONS,
                ),
                what="answer",
            )
        except discord.HTTPException as error:
            log.warning("could not send an answer in channel %s: %s", message.channel.id, error)
            return None

    async def _thread_for(self, message: discord.Message, name: str) -> discord.Thread | None:
        """A new thread for the answer when thread mode is on and the channel allows it."""
        if not self.bot.settings.thread_mode or not isinstance(
            message.channel, discord.TextChannel
        ):
            return None
        try:
            return await message.create_thread(name=name)
        except discord.HTTPException as error:
            log.info("thread mode: could not open a thread, answering inline: %s", error)
            return None

    # --- /ask ------------------------------------------------------------------------------

    @app_commands.command(
        name="ask", description="Ask a question; the answer quotes the news article."
    )
    @app_commands.describe(
        question="What do you want to know?",
        private="Only you see the answer (default: everyone in the channel)",
    )
    async def ask(
        self, interaction: discord.Interaction[Any], question: str, private: bool = False
    ) -> None:
        text = without_markup(question)
        limit = self.bot.settings.max_question_chars
        if not text:
            await interaction.response.send_message(
                "Please type a question.", ephemeral=True, allowed_mentions=render.NO_MENTIONS
            )
            return
        if len(text) > limit:
            await interaction.response.send_message(
                render.too_long_message(len(text), limit),
                ephemeral=True,
                allowed_mentions=render.NO_MENTIONS,
            )
            return
        retry_after = self.bot.question_cooldown.hit(interaction.user.id)
        if retry_after is not None:
            raise app_commands.CommandOnCooldown(self.bot.question_cooldown.template, retry_after)
        await interaction.response.defer(ephemeral=private, thinking=True)
        answer = await self.bot.answer(text)
        reply = render.answer_reply(answer)
        embed = reply.embed
        if embed is None:
            await interaction.followup.send(
                reply.content,
                ephemeral=private,
                allowed_mentions=render.NO_MENTIONS,
            )
            return
        pending = self.bot.record_question(
            answer,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            user_id=interaction.user.id,
        )
        view = self._view(answer, interaction.user.id, await pending.settle())
        sent = await deliver(
            lambda: interaction.followup.send(
                embed=embed,
                view=view,
                ephemeral=private,
                wait=True,
                allowed_mentions=render.NO_MENTIONS,
            ),
            what="answer",
        )
        view.attach(sent.edit)
        await pending.link(sent.id)


async def setup(bot: DatelineBot) -> None:
    """Extension entry point."""
    await bot.add_cog(AskCog(bot))

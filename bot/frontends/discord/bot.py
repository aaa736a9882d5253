"""The Dateline Discord client: a `commands.Bot` that owns the service, the store and the cogs.

Cogs stay thin: they turn Discord events into calls on this object and on `KnowledgeService`,
and render the `Answer` they get back. There are no prefix commands: questions arrive by
mention, in Q&A channels, or as slash commands, so `on_message` is left to the ask cog and
`process_commands` is never called.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import discord
from discord.ext import commands, tasks

from bot import __version__
from bot.answers import Answer
from bot.errors import KnowledgeError, ReloadInProgressError, SettingsError
from bot.frontends.discord import render
from bot.frontends.discord.checks import AdminGrant, admin_grant
from bot.frontends.discord.cooldowns import QuestionCooldown
from bot.frontends.discord.errors import DatelineTree
from bot.frontends.discord.recording import PendingQuestion
from bot.frontends.discord.views import (
    DEFAULT_LIFETIME,
    DYNAMIC_ITEMS,
    LivePagers,
    Vote,
    button_is_live,
)
from bot.records import AsyncStore, AuditResult, StorageError
from bot.serving import KnowledgeService, ReloadReport, SnapshotWatcher, start_watching
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "bot.frontends.discord.cogs.ask",
    "bot.frontends.discord.cogs.library",
    "bot.frontends.discord.cogs.admin",
)
PRUNE_EVERY_HOURS = 24.0
RELOAD_WAIT_SECONDS = 120.0


def build_intents(settings: Settings) -> discord.Intents:
    """The gateway intents: the defaults, minus typing events, plus message content if asked.

    Message content is privileged; it is only needed to read questions in Q&A channels (a
    message that mentions the bot always carries its content).
    """
    intents = discord.Intents.default()
    intents.typing = False
    intents.message_content = settings.message_content_intent
    return intents


# Dateline has no voice features: discord.py's "PyNaCl / davey is not installed, voice will NOT
# be supported" warnings at start-up are noise an operator cannot act on.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class DatelineBot(commands.Bot):
    """Answers questions from the knowledge base on Discord."""

    def __init__(
        self,
        settings: Settings,
        service: KnowledgeService | None = None,
        store: AsyncStore | None = None,
        *,
        view_lifetime: float = DEFAULT_LIFETIME,
        open_store: bool = True,
        **options: Any,
    ) -> None:
        options.setdefault("intents", build_intents(settings))
        super().__init__(
            # No prefix commands (an empty list also spares the "message content intent is
            # missing, commands may not work" warning: Dateline says what it means itself).
            command_prefix=[],
            help_command=None,
            tree_cls=DatelineTree,
            allowed_mentions=render.NO_MENTIONS,
            **options,
        )
        self.settings = settings
        self.service = service if service is not None else KnowledgeService(settings)
        self.store = store
        self._open_store = open_store and store is None
        self._owns_store = False
        # The pagers whose buttons still work (bot.frontends.discord.views, `button_is_live`).
        self.live_pagers: LivePagers = weakref.WeakValueDictionary()
        self.view_lifetime = view_lifetime
        self.question_cooldown = QuestionCooldown(
            settings.cooldown_rate, settings.cooldown_per_seconds
        )
        self.version = __version__
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watch_stop: asyncio.Event | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        """Before the gateway connects: storage, knowledge, persistent buttons, cogs, dev sync."""
        if self._open_store and self.store is None:
            try:
                self.store = await AsyncStore.open(self.settings.database_path)
                self._owns_store = True
            except StorageError as error:
                log.warning("storage disabled, answering anyway: %s", error)
        if not self.service.loaded:
            report = await self.service.reload_async()
            if not report.ok:
                raise KnowledgeError(f"could not load the knowledge base: {report.error}")
            log.info("knowledge loaded: %s", report.summary())
        log.info("%s", self.service.neural_state.reason_line())
        if self.settings.reranker_background:
            await asyncio.to_thread(self.service.start_background_embedding)
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.refresh_guild_copies()
        for guild_id in self.settings.dev_guild_ids:
            synced = await self.tree.sync(guild=discord.Object(id=guild_id))
            log.info("synced %d commands to development guild %s", len(synced), guild_id)
        if self.store is not None:
            self.prune_loop.start()
        if self.settings.watch_knowledge:
            self._start_watching()
        if SnapshotWatcher.supported(self.service):  # shards follow each other's reloads
            watcher = SnapshotWatcher(self.service, on_change=self.knowledge_changed)
            await watcher.start()
            self.track_task(asyncio.create_task(watcher.run(), name="dateline-snapshots"))

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "connected as %s (%s) to %d servers",
            user,
            user.id if user else "?",
            len(self.guilds),
        )
        if not self.settings.message_content_intent:
            log_line = log.warning if self.settings.qa_channel_ids else log.info
            log_line(
                "message content intent off (DATELINE_MESSAGE_CONTENT_INTENT): mentions and slash "
                "commands work; Q&A channels (DATELINE_QA_CHANNEL_IDS) need it"
                + (", so their questions are ignored" if self.settings.qa_channel_ids else "")
            )

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: the ask cog listens to messages itself."""

    async def admin_grant(self, interaction: discord.Interaction[Any]) -> AdminGrant | None:
        """Why the user may administer Dateline here under these settings (None: they may
        not; raises `NoPrivateMessage` in DMs): the one check every admin path uses."""
        return await admin_grant(
            interaction,
            admin_user_ids=self.settings.admin_user_ids,
            admin_role_ids=self.settings.admin_role_ids,
        )

    async def on_interaction(self, interaction: discord.Interaction[Any], /) -> None:
        """A click no handler takes (a pager that expired or predates a restart, a crafted
        custom id) gets a polite ephemeral reply instead of "This interaction failed"."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        if button_is_live(custom_id, self.live_pagers):
            return
        log.info(
            "expired or unknown button %r by %s in guild %s",
            custom_id[:100],
            interaction.user.id,
            interaction.guild_id,
        )
        try:
            await interaction.response.send_message(
                render.expired_button_message(),
                ephemeral=True,
                allowed_mentions=render.NO_MENTIONS,
            )
        except discord.HTTPException as error:
            log.debug("could not answer an expired button: %s", error)

    def _start_watching(self) -> None:
        """Watch mode: reload (debounced) when article files change; stopped on close."""
        self._watch_stop = asyncio.Event()
        task = start_watching(
            self.service, stop_event=self._watch_stop, on_reload=self.knowledge_changed
        )
        if task is not None:
            self.track_task(task)

    def track_task(self, task: asyncio.Task[Any]) -> None:
        """Keep a background task referenced; it is cancelled when the bot closes."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Cancel background work, disconnect, unload cogs, then close the store."""
        self.prune_loop.cancel()
        if self._watch_stop is not None:
            self._watch_stop.set()
        running = [task for task in self._tasks if not task.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        await super().close()
        embedder = self.service.embedder
        if embedder is not None:
            embedder.stop()
        await asyncio.to_thread(self.service.save_vectors)
        if self.store is not None and self._owns_store:
            store, self.store = self.store, None
            await store.close()

    @tasks.loop(hours=PRUNE_EVERY_HOURS)
    async def prune_loop(self) -> None:
        """Delete stored rows older than the retention: once at start, then daily."""
        if self.store is None:
            return
        removed = await self.store.prune(self.settings.retention_days)  # None: logged by the store
        if removed:
            log.info(
                "pruned %d stored rows older than %d days", removed, self.settings.retention_days
            )

    async def reload_all_extensions(self) -> list[render.ExtensionResult]:
        """Hot-reload every cog; discord.py puts a cog that fails back to its previous version."""
        results: list[render.ExtensionResult] = []
        for name in EXTENSIONS:
            try:
                if name in self.extensions:
                    await self.reload_extension(name)
                else:
                    await self.load_extension(name)
            except commands.ExtensionError as error:
                cause = error.__cause__ or error
                log.error(
                    "reloading %s failed; the previous version stays loaded", name, exc_info=cause
                )
                results.append(
                    render.ExtensionResult(name, False, f"{type(cause).__name__}: {cause}")
                )
            else:
                results.append(render.ExtensionResult(name, True))
        self.refresh_guild_copies()
        return results

    def refresh_guild_copies(self) -> None:
        """Point every guild copy of the commands (development guilds, `/admin sync guild`) at
        the freshly loaded commands: a stale copy would keep calling the unloaded cog."""
        guild_ids = set(self.settings.dev_guild_ids)
        guild_ids.update(guild.id for guild in self.guilds if self.tree.get_commands(guild=guild))
        for guild_id in guild_ids:
            self.tree.copy_global_to(guild=discord.Object(id=guild_id))

    # --- knowledge ----------------------------------------------------------------------------

    async def answer(self, question: str) -> Answer:
        """Answer off the event loop (retrieval is CPU work)."""
        return await asyncio.to_thread(self.service.ask, question)

    async def reload_knowledge(self, *, force: bool = False) -> ReloadReport:
        """Rebuild the knowledge base (raises `ReloadInProgressError` if one is running);
        `force` confirms a reload the safety rule would refuse (`bot.serving.reload_guard`)."""
        report = await self.service.reload_async(force=force)
        await self.knowledge_changed(report)
        return report

    async def reload_when_free(
        self, wait: float = RELOAD_WAIT_SECONDS, *, force: bool = False
    ) -> ReloadReport | None:
        """Reload after a file change; if another reload is running (it may have read the folder
        before the change), wait for it and reload again. None if it is still busy after `wait`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            try:
                return await self.reload_knowledge(force=force)
            except ReloadInProgressError:
                if loop.time() >= deadline:
                    return None
                await asyncio.sleep(0.1)

    async def knowledge_changed(self, report: ReloadReport) -> None:
        """Called after every reload attempt, wherever it came from.

        The hook for multi-process deployments: whatever notices a new snapshot (e.g. a
        watcher) installs it in the service and calls this. Cogs can listen to
        `on_dateline_knowledge_changed`.
        """
        if report.ok:
            log.info("knowledge changed: %s", report.summary())
        else:
            log.warning("knowledge reload failed: %s", report.summary())
        self.dispatch("dateline_knowledge_changed", report)

    # --- storage ------------------------------------------------------------------------------

    def record_question(
        self,
        answer: Answer,
        *,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
    ) -> PendingQuestion:
        """Start storing the outcome of a question (answered or not) for /admin stats.

        `await pending.settle()` gives the id for the feedback buttons if the row is written
        quickly; `await pending.link(message_id)` ties the row to the answer's message.
        """
        store = self.store
        if store is None:
            return PendingQuestion(None, self._link_answer, self.track_task)
        best = answer.best
        write = store.record_question(
            question=answer.question,
            answered=answer.answered,
            front_end="discord",
            article_id=best.article.id if best is not None else None,
            score=best.score if best is not None else None,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
        )
        return PendingQuestion(write, self._link_answer, self.track_task)

    async def _link_answer(self, question_id: int, message_id: int) -> None:
        """Remember which message carries the answer (feedback can then be found by message)."""
        if self.store is not None:
            await self.store.link_message(question_id, message_id)

    async def record_feedback(
        self, interaction: discord.Interaction[Any], question_id: int, vote: Vote
    ) -> bool:
        """Log and store a 👍/👎 (one vote per user per answer; the latest wins)."""
        message_id = interaction.message.id if interaction.message is not None else None
        log.info(
            "feedback %s on question %s (message %s) from user %s in guild %s",
            vote,
            question_id or "?",
            message_id,
            interaction.user.id,
            interaction.guild_id,
        )
        if self.store is None:
            return False
        value = 1 if vote == "up" else -1
        if question_id > 0:
            return await self.store.record_feedback(
                user_id=interaction.user.id, vote=value, question_id=question_id
            )
        if message_id is None:
            return False
        return await self.store.record_feedback(
            user_id=interaction.user.id, vote=value, message_id=message_id
        )

    async def audit(
        self,
        interaction: discord.Interaction[Any],
        action: str,
        result: AuditResult,
        *,
        detail: dict[str, Any] | None = None,
        message: str = "",
    ) -> None:
        """Record an admin action (or a refused attempt) in the log and the audit table."""
        user = interaction.user
        level = logging.INFO if result == "ok" else logging.WARNING
        log.log(
            level,
            "admin %s by %s (%s) in guild %s: %s %s",
            action,
            user,
            user.id,
            interaction.guild_id,
            result,
            message,
        )
        if self.store is not None:
            await self.store.record_audit(
                action=action,
                result=result,
                guild_id=interaction.guild_id,
                user_id=user.id,
                user_name=str(user),
                detail=detail or {},
                message=message,
            )


class ShardedDatelineBot(DatelineBot, commands.AutoShardedBot):
    """The same bot over several shards in one process (`DATELINE_SHARD_COUNT`/`_SHARD_IDS`).

    Without a shard count, discord.py asks Discord for the recommended number.
    """

    def __init__(self, settings: Settings, *args: Any, **options: Any) -> None:
        if settings.shard_ids and settings.shard_count is None:
            raise SettingsError(
                "DATELINE_SHARD_IDS needs DATELINE_SHARD_COUNT (the total number of shards)"
            )
        options.setdefault("shard_count", settings.shard_count)
        if settings.shard_ids:
            options.setdefault("shard_ids", list(settings.shard_ids))
        super().__init__(settings, *args, **options)


def create_bot(settings: Settings, **kwargs: Any) -> DatelineBot:
    """A sharded bot when shard settings are given, otherwise a plain one."""
    if settings.shard_count is not None or settings.shard_ids:
        return ShardedDatelineBot(settings, **kwargs)
    return DatelineBot(settings, **kwargs)

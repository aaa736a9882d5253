"""Buttons: "More results" paging, the sources and knowledge-file pagers, and 👍/👎 feedback that
survives restarts.

Feedback buttons are `DynamicItem`s: their custom id carries the question id, and the bot
registers the class with `add_dynamic_items`, so a click on a week-old answer still works after
a restart. Pagers carry state (the answer, the page) and therefore expire.

Why pagers expire by their own timer instead of `View(timeout=...)`: when discord.py removes a
finished view from its store it also unregisters the `DynamicItem` classes that view contained,
which would silently switch off feedback on *every* message until the next answer is sent. Our
timer stops the view and re-registers the dynamic items in the same synchronous step, so there
is no moment in which a feedback click is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

import discord

from bot.answers import Answer
from bot.frontends.discord import render
from bot.knowledge import Article, FileEntry

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]
FEEDBACK_PREFIX = "dateline:fb"
FEEDBACK_TEMPLATE = rf"{FEEDBACK_PREFIX}:(?P<question>[0-9]{{1,19}}):(?P<vote>up|down)"
PAGE_PREFIX = "dateline:page"
PAGE_TEMPLATE = rf"{PAGE_PREFIX}:(?P<pager>[0-9a-f]{{16}}):(?P<step>prev|next)"
# A client's live pagers, by the nonce in their buttons' custom ids (`DatelineBot.live_pagers`):
# a click whose pager is not there (expired, from before a restart, or a crafted id) gets
# "this button has expired".
LivePagers = weakref.WeakValueDictionary[str, "OwnedPager"]
DEFAULT_LIFETIME = 600.0
"""Seconds a pager stays usable after its last use (well inside the 15-minute interaction
token, so the final "disable the buttons" edit of an ephemeral reply still succeeds)."""


def feedback_custom_id(question_id: int | None, vote: Vote) -> str:
    """`dateline:fb:<question id>:<up|down>`; question id 0 means "look it up by message"."""
    custom_id = f"{FEEDBACK_PREFIX}:{max(question_id or 0, 0)}:{vote}"
    if len(custom_id) > render.CUSTOM_ID or re.fullmatch(FEEDBACK_TEMPLATE, custom_id) is None:
        raise ValueError(f"invalid feedback custom id {custom_id!r}")
    return custom_id


@runtime_checkable
class FeedbackSink(Protocol):
    """What the feedback button needs from the bot (kept abstract to avoid an import cycle)."""

    async def record_feedback(
        self, interaction: discord.Interaction[Any], question_id: int, vote: Vote
    ) -> bool:
        """Store and log one vote; True when it was stored."""
        ...


@runtime_checkable
class TaskTracker(Protocol):
    """A bot that cancels our background tasks when it closes."""

    def track_task(self, task: asyncio.Task[Any]) -> None:
        """Keep a reference and cancel the task on close."""
        ...


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FEEDBACK_TEMPLATE):
    """👍 or 👎 on one answer; anyone may vote, and a later vote replaces the earlier one."""

    def __init__(self, question_id: int | None, vote: Vote) -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                emoji="👍" if vote == "up" else "👎",
                custom_id=feedback_custom_id(question_id, vote),
            )
        )
        self.question_id = max(question_id or 0, 0)
        self.vote: Vote = vote

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FeedbackButton:
        vote: Vote = "up" if match["vote"] == "up" else "down"
        return cls(int(match["question"]), vote)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        stored = False
        if isinstance(client, FeedbackSink):
            stored = await client.record_feedback(interaction, self.question_id, self.vote)
        thanks = (
            "Thanks — noted that this answer helped."
            if self.vote == "up"
            else ("Thanks — noted that this answer did not help.")
        )
        if not stored:
            thanks += " (It could not be saved right now, but it was logged.)"
        await interaction.response.send_message(
            thanks, ephemeral=True, allowed_mentions=render.NO_MENTIONS
        )


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (FeedbackButton,)

Editor = Callable[..., Awaitable[Any]]


def button_is_live(custom_id: str, live_pagers: LivePagers) -> bool:
    """Whether a click on `custom_id` has a handler: a feedback button (always), or a page
    button of one of `live_pagers` that has not expired."""
    if re.fullmatch(FEEDBACK_TEMPLATE, custom_id):
        return True
    page = re.fullmatch(PAGE_TEMPLATE, custom_id)
    if page is None:
        return False
    pager = live_pagers.get(page["pager"])
    return pager is not None and not pager.expired


class PageButton(discord.ui.Button["OwnedPager"]):
    """Previous or next page of the pager it belongs to."""

    def __init__(self, step: int, label: str, style: discord.ButtonStyle, pager: str) -> None:
        custom_id = f"{PAGE_PREFIX}:{pager}:{'prev' if step < 0 else 'next'}"
        super().__init__(label=label, style=style, row=0, custom_id=custom_id)
        self.step = step

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if self.view is not None:
            await self.view.turn(interaction, self.step)


class OwnedPager(discord.ui.View):
    """Previous / next buttons that only the owner may press, expiring after inactivity."""

    previous_label = "◀ Previous"
    next_label = "Next ▶"

    def __init__(
        self,
        client: discord.Client,
        owner_id: int,
        pages: int,
        *,
        lifetime: float = DEFAULT_LIFETIME,
    ) -> None:
        super().__init__(timeout=None)
        self.client = client
        self.owner_id = owner_id
        self.pages = max(pages, 1)
        self.page = 0
        self.lifetime = lifetime
        self.expired = False
        self._edit: Editor | None = None
        self._expiry: asyncio.Task[None] | None = None
        self._deadline = 0.0
        self.nonce = secrets.token_hex(8)
        self._registry: LivePagers | None = getattr(client, "live_pagers", None)
        if self._registry is not None:
            self._registry[self.nonce] = self
        self.previous_button = PageButton(
            -1, self.previous_label, discord.ButtonStyle.secondary, self.nonce
        )
        self.next_button = PageButton(+1, self.next_label, discord.ButtonStyle.primary, self.nonce)
        if self.pages > 1:
            self.add_item(self.previous_button)
            self.add_item(self.next_button)
        self._sync_buttons()

    @property
    def pageable(self) -> bool:
        """Whether there is more than one page (otherwise no buttons to expire)."""
        return self.pages > 1

    def render_page(self, page: int) -> discord.Embed:
        """The embed for `page`; subclasses implement it."""
        raise NotImplementedError

    def _sync_buttons(self) -> None:
        self.previous_button.disabled = self.expired or self.page <= 0
        self.next_button.disabled = self.expired or self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            render.not_owner_message(), ephemeral=True, allowed_mentions=render.NO_MENTIONS
        )
        return False

    async def turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._sync_buttons()
        self._deadline = asyncio.get_running_loop().time() + self.lifetime
        await interaction.response.edit_message(
            embed=self.render_page(self.page), view=self, allowed_mentions=render.NO_MENTIONS
        )

    async def send_private(self, interaction: discord.Interaction[Any]) -> None:
        """Answer `interaction` with the first page, visible to the owner only; buttons (and
        their expiry timer) only when there is more than one page."""
        await interaction.response.send_message(
            embed=self.render_page(0),
            view=self if self.pageable else discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=render.NO_MENTIONS,
        )
        if self.pageable:
            self.attach(interaction.edit_original_response)

    def attach(self, edit: Editor) -> None:
        """Start the expiry timer; `edit` updates the message (e.g. `message.edit`)."""
        self._edit = edit
        if not self.pageable or self._expiry is not None:
            return
        loop = asyncio.get_running_loop()
        self._deadline = loop.time() + self.lifetime
        self._expiry = loop.create_task(self._expire_later(), name="dateline-pager-expiry")
        if isinstance(self.client, TaskTracker):
            self.client.track_task(self._expiry)

    async def _expire_later(self) -> None:
        loop = asyncio.get_running_loop()
        while (delay := self._deadline - loop.time()) > 0:
            await asyncio.sleep(delay)
        await self.expire()

    async def expire(self) -> None:
        """Disable the page buttons, stop listening, and keep feedback buttons working."""
        if self.expired:
            return
        self.expired = True
        if self._registry is not None:
            self._registry.pop(self.nonce, None)
        self._sync_buttons()
        self.stop()
        # discord.py just unregistered the dynamic items this view held: put them back
        # before anything else can run.
        self.client.add_dynamic_items(*DYNAMIC_ITEMS)
        if self._edit is None:
            return
        try:
            await self._edit(view=self, allowed_mentions=render.NO_MENTIONS)
        except discord.HTTPException as error:
            log.debug("could not disable expired buttons: %s", error)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        log.error(
            "button %r failed (user %s, guild %s)",
            getattr(item, "custom_id", item),
            interaction.user.id,
            interaction.guild_id,
            exc_info=error,
        )
        await _apologise(interaction)


async def _apologise(interaction: discord.Interaction[Any]) -> None:
    message = "Something went wrong with that button; it has been logged."
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        pass


class AnswerView(OwnedPager):
    """An answer's buttons: page through the findings (asker only), and vote (anyone)."""

    previous_label = "◀ Back"
    next_label = "More results"

    def __init__(
        self,
        client: discord.Client,
        answer: Answer,
        asker_id: int,
        question_id: int | None,
        *,
        lifetime: float = DEFAULT_LIFETIME,
    ) -> None:
        super().__init__(client, asker_id, render.page_count(answer), lifetime=lifetime)
        self.answer = answer
        self.question_id = question_id
        self.add_item(FeedbackButton(question_id, "up"))
        self.add_item(FeedbackButton(question_id, "down"))

    def render_page(self, page: int) -> discord.Embed:
        return render.answer_embed(self.answer, page)


class SourcesView(OwnedPager):
    """The `/sources` pager."""

    def __init__(
        self,
        client: discord.Client,
        owner_id: int,
        articles: tuple[Article, ...],
        *,
        lifetime: float = DEFAULT_LIFETIME,
    ) -> None:
        super().__init__(client, owner_id, render.sources_pages(len(articles)), lifetime=lifetime)
        self.articles = articles

    def render_page(self, page: int) -> discord.Embed:
        return render.sources_embed(self.articles, page)


class KnowledgeFilesView(OwnedPager):
    """The `/admin knowledge list` pager (only the admin who asked can page)."""

    def __init__(
        self,
        client: discord.Client,
        owner_id: int,
        entries: Sequence[FileEntry],
        *,
        only_problems: bool = False,
        lifetime: float = DEFAULT_LIFETIME,
    ) -> None:
        super().__init__(client, owner_id, render.file_pages(len(entries)), lifetime=lifetime)
        self.entries = tuple(entries)
        self.only_problems = only_problems

    def render_page(self, page: int) -> discord.Embed:
        return render.files_embed(self.entries, page, only_problems=self.only_problems)

"""Which button clicks have a handler: feedback always, page buttons while their pager lives."""

from __future__ import annotations

import asyncio
import weakref

import discord

from bot.frontends.discord.views import OwnedPager, button_is_live


async def test_page_buttons_live_until_their_pager_expires() -> None:
    client = discord.Client(intents=discord.Intents.none())
    client.live_pagers = live = weakref.WeakValueDictionary()  # type: ignore[attr-defined]
    pager = OwnedPager(client, owner_id=1, pages=3, lifetime=60)
    ids = [str(item.custom_id) for item in pager.children if isinstance(item, discord.ui.Button)]
    assert len(ids) == 2 and all(button_is_live(custom_id, live) for custom_id in ids)
    assert not button_is_live(ids[0], weakref.WeakValueDictionary())  # another process's pager
    await pager.expire()
    assert not any(button_is_live(custom_id, live) for custom_id in ids)
    await asyncio.sleep(0)


def test_feedback_ids_live_and_crafted_ids_do_not() -> None:
    none: weakref.WeakValueDictionary[str, OwnedPager] = weakref.WeakValueDictionary()
    assert button_is_live("dateline:fb:12:up", none) and button_is_live("dateline:fb:0:down", none)
    for crafted in (
        "dateline:fb:12:sideways",
        "dateline:fb:" + "9" * 30 + ":up",
        "dateline:page:0123456789abcdef:next",  # no such pager
        "dateline:page:../../etc:next",
        "4f1c0a9d6e0b2a77c3b1d2e3f4a5b6c7",  # discord.py's own random ids (before this change)
        "",
    ):
        assert not button_is_live(crafted, weakref.WeakValueDictionary()), crafted

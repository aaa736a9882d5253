"""Delivering a reply through Discord's transient server errors.

discord.py already sleeps and retries 429s and the 500/502/504/524 answers (up to five tries).
What it gives up on (`DiscordServerError`: a 503, or a 5xx that outlasted its retries) is
tried a few more times here, with a pause, before the reply is given up and logged: an answer
that was computed should reach the person who asked. Client errors (4xx) are never retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import discord

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS: Final = 3
PAUSE_SECONDS = 1.0
"""Pause before the second attempt; doubled before each later one (tests shorten it)."""


async def deliver(send: Callable[[], Awaitable[T]], *, what: str = "reply") -> T:
    """`await send()`, again after a pause when Discord answers with a server error."""
    pause = PAUSE_SECONDS
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await send()
        except discord.DiscordServerError as error:
            if attempt == ATTEMPTS:
                raise
            log.warning(
                "Discord server error sending the %s (attempt %d of %d), retrying in %.1f s: %s",
                what,
                attempt,
                ATTEMPTS,
                pause,
                error.status,
            )
            await asyncio.sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")  # pragma: no cover

"""Storing a question's outcome without letting the database slow the answer down.

The answer's feedback buttons carry the stored question id when it is known, so a vote finds
its question even after a restart. Normally the row is written in a millisecond; but a locked
database waits up to its busy timeout (seconds), and the store's single worker thread queues
every later call behind it. So an answer waits for its row only `RECORD_WAIT_SECONDS`; after
that it goes out with buttons that look the question up by message id, and the row is linked
to the message when the write finishes (or the failure is logged by the store).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final

log = logging.getLogger(__name__)

RECORD_WAIT_SECONDS: Final = 0.25

Linker = Callable[[int, int], Coroutine[Any, Any, Any]]
Tracker = Callable[["asyncio.Task[Any]"], None]


class PendingQuestion:
    """A question row being written: its id if it is ready in time, and a late `link`."""

    def __init__(
        self,
        write: Coroutine[Any, Any, int | None] | None,
        linker: Linker,
        tracker: Tracker,
    ) -> None:
        self._task: asyncio.Task[int | None] | None = None
        if write is not None:
            self._task = asyncio.create_task(write, name="dateline-record-question")
            tracker(self._task)
        self._linker = linker
        self._tracker = tracker

    async def settle(self, timeout: float = RECORD_WAIT_SECONDS) -> int | None:
        """Wait at most `timeout` for the row; its id, or None (not stored, or not yet)."""
        task = self._task
        if task is None:
            return None
        if not task.done():
            await asyncio.wait({task}, timeout=timeout)
        return self.id

    @property
    def id(self) -> int | None:
        """The stored question's id, once written (None if it failed or is still pending)."""
        task = self._task
        if task is None or not task.done() or task.cancelled() or task.exception() is not None:
            return None
        return task.result()

    async def link(self, message_id: int) -> None:
        """Attach the answer's message id to the row, now or when the write completes."""
        task = self._task
        if task is None:
            return
        if task.done():
            question_id = self.id
            if question_id is not None:
                await self._linker(question_id, message_id)
            return

        def later(done: asyncio.Task[int | None]) -> None:
            question_id = self.id
            if question_id is None:
                return
            follow = asyncio.create_task(
                self._linker(question_id, message_id), name="dateline-link-answer"
            )
            self._tracker(follow)

        task.add_done_callback(later)

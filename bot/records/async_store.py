"""The async, tolerant facade over `Store`: every call runs on one worker thread so the
event loop never waits on the disk, and a storage failure is logged and reported as
None/False so the bot keeps answering."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from bot.records.model import (
    AuditEntry,
    AuditResult,
    FrontEnd,
    Stats,
    StorageError,
    utc_now,
)
from bot.records.store import DEFAULT_BUSY_TIMEOUT, Store

logger = logging.getLogger(__name__)

T = TypeVar("T")


F = TypeVar("F")


class AsyncStore:
    """Runs every `Store` call on one worker thread so the event loop never blocks on disk.

    Tolerant by default: a `StorageError` is logged (operation and SQLite's reason only: never
    question text or user data) and the call returns None/False, so the bot keeps answering.
    With `strict=True` errors propagate. Each operation's first failure logs a WARNING; repeats
    log DEBUG until that operation succeeds again, which logs INFO (no log flood in an outage).
    """

    def __init__(self, store: Store, *, strict: bool = False) -> None:
        """Wrap an open `Store`; prefer `await AsyncStore.open(...)`."""
        self.store = store
        self.strict = strict
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dateline-db")
        self._failures: dict[str, int] = {}  # operation -> failed calls since its last success

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        strict: bool = False,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        read_only: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> AsyncStore:
        """Open the store off the event loop. Opening is always strict: it raises `StorageError`."""
        opener = functools.partial(
            Store.open, path, busy_timeout=busy_timeout, read_only=read_only, clock=clock
        )
        store = await asyncio.to_thread(opener)
        return cls(store, strict=strict)

    async def close(self) -> None:
        """Close the store after queued calls finish, then stop the worker thread."""
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self.store.close)
        finally:
            self._executor.shutdown(wait=False)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _call(self, op: str, call: Callable[[], T], failed: F) -> T | F:
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(self._executor, call)
        except StorageError as error:
            if self.strict:
                raise
            count = self._failures[op] = self._failures.get(op, 0) + 1
            level = logging.WARNING if count == 1 else logging.DEBUG
            logger.log(level, "storage unavailable, carrying on without it: %s", error)
            return failed
        count = self._failures.pop(op, 0)
        if count:
            logger.info("storage: %s works again after %d failed calls", op, count)
        return result

    async def record_question(
        self,
        *,
        question: str,
        answered: bool,
        front_end: FrontEnd,
        article_id: str | None = None,
        score: float | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        message_id: int | None = None,
        asked_at: datetime | None = None,
    ) -> int | None:
        """`Store.record_question`; None if it could not be stored."""
        call = functools.partial(
            self.store.record_question,
            question=question,
            answered=answered,
            front_end=front_end,
            article_id=article_id,
            score=score,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            message_id=message_id,
            asked_at=asked_at,
        )
        return await self._call("record_question", call, None)

    async def link_message(self, question_id: int, message_id: int) -> bool:
        """`Store.link_message`; False if it could not be stored."""
        call = functools.partial(self.store.link_message, question_id, message_id)
        return await self._call("link_message", call, False)

    async def record_feedback(
        self,
        *,
        user_id: int,
        vote: int,
        question_id: int | None = None,
        message_id: int | None = None,
        voted_at: datetime | None = None,
    ) -> bool:
        """`Store.record_feedback`; False if unknown answer or it could not be stored."""
        call = functools.partial(
            self.store.record_feedback,
            user_id=user_id,
            vote=vote,
            question_id=question_id,
            message_id=message_id,
            voted_at=voted_at,
        )
        return await self._call("record_feedback", call, False)

    async def record_audit(
        self,
        *,
        action: str,
        result: AuditResult,
        guild_id: int | None = None,
        user_id: int | None = None,
        user_name: str | None = None,
        detail: Mapping[str, Any] | None = None,
        message: str = "",
        at: datetime | None = None,
    ) -> int | None:
        """`Store.record_audit`; None if it could not be stored."""
        call = functools.partial(
            self.store.record_audit,
            action=action,
            result=result,
            guild_id=guild_id,
            user_id=user_id,
            user_name=user_name,
            detail=detail,
            message=message,
            at=at,
        )
        return await self._call("record_audit", call, None)

    async def stats(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        top_n: int = 10,
        *,
        guild_id: int | None = None,
    ) -> Stats | None:
        """`Store.stats`; None if the database could not be read."""
        call = functools.partial(self.store.stats, since, until, top_n, guild_id=guild_id)
        return await self._call("stats", call, None)

    async def prune(self, retention_days: int, *, now: datetime | None = None) -> int | None:
        """`Store.prune`; None if it failed."""
        call = functools.partial(self.store.prune, retention_days, now=now)
        return await self._call("prune", call, None)

    async def audit_log(
        self, limit: int = 50, *, guild_id: int | None = None
    ) -> list[AuditEntry] | None:
        """`Store.audit_log`; None if the database could not be read."""
        call = functools.partial(self.store.audit_log, limit, guild_id=guild_id)
        return await self._call("audit_log", call, None)

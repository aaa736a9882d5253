"""An append-only log that tests can wait on.

The fake Discord records every REST request and every gateway frame the client sends in a
`Journal`; tests then wait for an entry matching a predicate instead of sleeping, and a timeout
names what *did* arrive so a failing end-to-end test explains itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Journal(Generic[T]):
    """Entries in arrival order, with `wait` to block until one matches."""

    def __init__(self, describe: Callable[[T], str]) -> None:
        self._entries: list[T] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._describe = describe

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries))

    def __getitem__(self, index: int) -> T:
        return self._entries[index]

    def append(self, entry: T) -> None:
        self._entries.append(entry)
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def since(self, index: int = 0) -> list[T]:
        return self._entries[index:]

    def find(self, predicate: Callable[[T], bool], since: int = 0) -> list[T]:
        return [e for e in self._entries[since:] if predicate(e)]

    async def wait(
        self,
        predicate: Callable[[T], bool],
        *,
        since: int = 0,
        timeout: float = 5.0,
        what: str = "entry",
    ) -> T:
        """Return the first entry at index >= `since` matching `predicate` (waits for it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        checked = since
        while True:
            for entry in self._entries[checked:]:
                if predicate(entry):
                    return entry
            checked = len(self._entries)
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = [self._describe(e) for e in self._entries[since:]][-15:]
                listing = "\n  ".join(seen) if seen else "(nothing)"
                raise TimeoutError(
                    f"no matching {what} within {timeout:.1f}s; since #{since}:\n  {listing}"
                )
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fut, remaining)

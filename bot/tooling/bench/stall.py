"""How long the event loop stalls while work runs elsewhere (a reload in a worker thread).

A ticker task sleeps `interval` seconds again and again and records how late it wakes up.
Lateness is the time the loop could not run: the GIL held by the worker (Python switches
threads every `sys.getswitchinterval()` seconds, but a single long C call keeps the GIL
until it returns), plus whatever the machine's other processes take.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

TICK_SECONDS = 0.001


@dataclass(frozen=True, slots=True)
class Stall:
    """Event-loop lateness while one action ran."""

    seconds: float  # how long the action took
    ticks: int
    max_ms: float
    p99_ms: float
    p50_ms: float

    def to_json(self) -> dict[str, float]:
        """Rounded figures for the report."""
        return {
            "seconds": round(self.seconds, 3),
            "ticks": self.ticks,
            "max_ms": round(self.max_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "p50_ms": round(self.p50_ms, 2),
        }


async def _tick(stop: asyncio.Event, interval: float, lateness: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(interval)
        lateness.append(time.perf_counter() - started - interval)


async def measure(action: Callable[[], Awaitable[Any]], interval: float = TICK_SECONDS) -> Stall:
    """Run `action` on this loop while a ticker measures how late the loop wakes up."""
    stop = asyncio.Event()
    lateness: list[float] = []
    ticker = asyncio.create_task(_tick(stop, interval, lateness))
    await asyncio.sleep(interval)  # let the ticker start
    started = time.perf_counter()
    try:
        await action()
    finally:
        seconds = time.perf_counter() - started
        stop.set()
        await ticker
    values = np.asarray(lateness or [0.0]) * 1000
    return Stall(
        seconds=seconds,
        ticks=len(lateness),
        max_ms=float(values.max()),
        p99_ms=float(np.percentile(values, 99)),
        p50_ms=float(np.percentile(values, 50)),
    )


def stall_during(action: Callable[[], Awaitable[Any]], interval: float = TICK_SECONDS) -> Stall:
    """`measure` on a fresh event loop."""
    return asyncio.run(measure(action, interval))


def idle_stall(seconds: float = 1.0, interval: float = TICK_SECONDS) -> Stall:
    """The loop's lateness with nothing else running: the machine's own noise."""
    return stall_during(lambda: asyncio.sleep(seconds), interval)

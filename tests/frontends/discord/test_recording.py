"""A question row never holds its answer back for long, and a late row is still linked to the
answer's message (recording.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.frontends.discord.recording import PendingQuestion


class Recorder:
    def __init__(self) -> None:
        self.links: list[tuple[int, int]] = []
        self.tasks: list[asyncio.Task[Any]] = []

    async def link(self, question_id: int, message_id: int) -> None:
        self.links.append((question_id, message_id))

    def track(self, task: asyncio.Task[Any]) -> None:
        self.tasks.append(task)


async def write(result: int | None, delay: float = 0.0, error: bool = False) -> int | None:
    await asyncio.sleep(delay)
    if error:
        raise RuntimeError("database on fire")
    return result


async def test_a_quick_write_gives_its_id_and_links_at_once() -> None:
    recorder = Recorder()
    pending = PendingQuestion(write(7), recorder.link, recorder.track)
    assert await pending.settle() == 7
    await pending.link(99)
    assert recorder.links == [(7, 99)]
    assert len(recorder.tasks) == 1


async def test_a_slow_write_does_not_hold_the_answer_and_is_linked_later() -> None:
    recorder = Recorder()
    pending = PendingQuestion(write(8, delay=0.3), recorder.link, recorder.track)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await pending.settle(timeout=0.05) is None
    assert loop.time() - started < 0.2
    await pending.link(100)
    assert recorder.links == []
    await asyncio.sleep(0.4)
    assert pending.id == 8
    assert recorder.links == [(8, 100)]


async def test_failed_missing_or_unstored_writes_link_nothing() -> None:
    recorder = Recorder()
    for pending in (
        PendingQuestion(None, recorder.link, recorder.track),
        PendingQuestion(write(None), recorder.link, recorder.track),
        PendingQuestion(write(1, error=True), recorder.link, recorder.track),
    ):
        assert await pending.settle() is None
        await pending.link(5)
    assert recorder.links == []

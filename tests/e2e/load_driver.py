"""Many simulated users asking Dateline at once through the fake Discord, with every reply
matched to its question: shared by the load test and `scripts/bench_discord_load.py`.

Each user is a closed loop (ask, wait for the answer, ask again), so the number of questions
in flight equals the number of users. A mention's reply is matched by its message reference,
an `/ask`'s by the interaction token in its followup's path; every reply is counted, so a
lost or duplicated answer shows up as a count other than one.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .fakes.discord_server import FakeDiscord, RecordedRequest

JSON = dict[str, Any]

CHANNEL_POST = re.compile(r"/channels/\d+/messages")
FOLLOWUP = re.compile(r"/webhooks/\d+/(?P<token>[^/]+)")

# Questions over the BRIDGE_STORIES articles (answered) and a few the articles cannot answer.
QUESTIONS: tuple[str, ...] = (
    "Who opened the new bridge over the river?",
    "When did the ferry stop running?",
    "How much did traffic on the old bridge fall?",
    "Will there be tolls on the river crossing?",
    "Where will the ferry crew move?",
    "What did the crowds do when the first cars crossed?",
    "How many tanks did the navy buy?",
    "Who won the football cup final?",
)


@dataclass
class ReplyTracker:
    """Reads the fake's request journal and counts replies per question key."""

    fake: FakeDiscord
    since: int
    counts: Counter[str] = field(default_factory=Counter)
    first_reply: dict[str, RecordedRequest] = field(default_factory=dict)
    _waiting: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    _seen: int = 0

    def __post_init__(self) -> None:
        self._seen = self.since

    def key_of(self, request: RecordedRequest) -> str | None:
        """The question a successful bot reply answers: a message id or an interaction token."""
        if request.method != "POST" or not 200 <= request.status < 300:
            return None
        if CHANNEL_POST.fullmatch(request.path):
            reference = (request.json or {}).get("message_reference") or {}
            found = reference.get("message_id")
            return f"message:{found}" if found is not None else None
        match = FOLLOWUP.fullmatch(request.path)
        if match is not None:
            return f"token:{match['token']}"
        return None

    def scan(self) -> None:
        """Count the requests recorded since the last scan."""
        entries = self.fake.requests.since(self._seen)
        self._seen += len(entries)
        for request in entries:
            key = self.key_of(request)
            if key is None:
                continue
            self.counts[key] += 1
            self.first_reply.setdefault(key, request)
            waiter = self._waiting.pop(key, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(time.perf_counter())

    def expect(self, key: str) -> asyncio.Future[float]:
        """A future resolved (with the arrival time) when `key` gets its first reply."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if key in self.counts:
            future.set_result(time.perf_counter())
        else:
            self._waiting[key] = future
        return future

    async def run(self, poll: float = 0.001) -> None:
        """Scan until cancelled."""
        while True:
            self.scan()
            await asyncio.sleep(poll)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What happened: per-question reply counts and latencies, and the wall time."""

    asked: dict[str, str]  # key -> "mention" | "slash"
    counts: dict[str, int]  # key -> replies seen
    latencies: tuple[float, ...]  # seconds, one per answered question
    seconds: float
    unexpected: tuple[str, ...]  # reply keys that match no question
    failures: tuple[str, ...]  # questions that got no reply in time
    replies: dict[str, RecordedRequest] = field(default_factory=dict)

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile of the latencies, in seconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        rank = max(1, math.ceil(fraction * len(ordered)))
        return ordered[rank - 1]

    @property
    def throughput(self) -> float:
        """Answered questions per second of wall time."""
        return len(self.latencies) / self.seconds if self.seconds > 0 else math.nan

    def summary(self) -> str:
        return (
            f"{len(self.asked)} questions, {len(self.latencies)} answered in {self.seconds:.2f} s: "
            f"p50 {self.percentile(0.5) * 1000:.1f} ms, p95 {self.percentile(0.95) * 1000:.1f} ms, "
            f"{self.throughput:.0f} questions/s"
        )


async def run_load(
    fake: FakeDiscord,
    channel_id: int,
    users: Sequence[JSON],
    *,
    questions: int = 1000,
    slash_every: int = 2,
    midway: Callable[[], Awaitable[Any]] | None = None,
    answer_timeout: float = 20.0,
    settle: float = 0.3,
) -> LoadResult:
    """`questions` spread over `users` (closed loops); every `slash_every`-th is `/ask`, the rest
    mentions. `midway` runs (concurrently) once half the questions have been sent."""
    tracker = ReplyTracker(fake, fake.mark())
    scanner = asyncio.create_task(tracker.run(), name="load-reply-tracker")
    asked: dict[str, str] = {}
    latencies: list[float] = []
    failures: list[str] = []
    sent = 0
    midway_task: asyncio.Task[Any] | None = None
    per_user = [questions // len(users) + (i < questions % len(users)) for i in range(len(users))]

    async def user_loop(index: int, user: JSON) -> None:
        nonlocal sent, midway_task
        for _turn in range(per_user[index]):
            number = sent
            sent += 1
            if midway is not None and midway_task is None and sent >= questions // 2:
                midway_task = asyncio.create_task(_call(midway), name="load-midway")
            text = f"{QUESTIONS[number % len(QUESTIONS)]} (#{number})"
            started = time.perf_counter()
            if number % slash_every == slash_every - 1:
                interaction = await fake.slash_command(channel_id, user, "ask", {"question": text})
                key = f"token:{interaction.token}"
                asked[key] = "slash"
            else:
                message = await fake.send_message(channel_id, user, f"{fake.bot_mention} {text}")
                key = f"message:{message['id']}"
                asked[key] = "mention"
            try:
                arrived = await asyncio.wait_for(tracker.expect(key), answer_timeout)
            except TimeoutError:
                failures.append(key)
                continue
            latencies.append(arrived - started)

    began = time.perf_counter()
    try:
        await asyncio.gather(*(user_loop(i, user) for i, user in enumerate(users)))
        elapsed = time.perf_counter() - began
        if midway_task is not None:
            await midway_task
        await asyncio.sleep(settle)  # let a duplicate, if any, arrive before counting
        tracker.scan()
    finally:
        scanner.cancel()
    counts = {key: tracker.counts.get(key, 0) for key in asked}
    unexpected = tuple(key for key in tracker.counts if key not in asked)
    return LoadResult(
        asked=asked,
        counts=counts,
        latencies=tuple(latencies),
        seconds=elapsed,
        unexpected=unexpected,
        failures=tuple(failures),
        replies=dict(tracker.first_reply),
    )


async def _call(job: Callable[[], Awaitable[Any]]) -> Any:
    return await job()

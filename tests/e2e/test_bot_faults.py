"""Faults through the fake Discord: rate limits and server errors on send, gateway reconnects and
dropped sockets mid-stream, a reload that fails halfway, and a locked or read-only database."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.frontends.discord import delivery
from bot.knowledge import KnowledgeBase, ProgressCallback, build_knowledge_base
from bot.records import AsyncStore, Store
from bot.serving import KnowledgeService
from bot.settings import Settings

from .dateline_harness import Harness, button
from .fakes.discord_server import FakeDiscord
from .fakes.state import FakeGuild
from .load_driver import ReplyTracker

pytestmark = pytest.mark.timeout(30)

QUESTION = "Who welcomed the first planes at the airfield?"


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "PAUSE_SECONDS", 0.05)


# --- REST -------------------------------------------------------------------------------------


async def test_429_with_retry_after_is_waited_out_on_every_kind_of_send(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running():
        fake.fail_next("POST", "/channels/*/messages", 429, retry_after=0.2)
        fake.fail_next("POST", "/webhooks/*/*", 429, retry_after=0.2)
        fake.fail_next("POST", "/interactions/*/*/callback", 429, retry_after=0.1)
        mark = fake.mark()
        started = time.perf_counter()
        reply = await harness.mention(harness.alice, QUESTION)
        assert time.perf_counter() - started >= 0.2  # the bot waited as told
        assert reply["embeds"]
        ix = await fake.slash_command(harness.general, harness.alice, "ask", {"question": QUESTION})
        followup = await ix.wait(lambda r: "webhooks" in r.path and r.status == 200)
        assert followup.json["embeds"]
        statuses = [
            (request.path.split("/")[1], request.status)
            for request in fake.requests_to(since=mark)
            if request.method == "POST" and "typing" not in request.path
        ]
        assert statuses == [
            ("channels", 429),
            ("channels", 200),
            ("interactions", 429),
            ("interactions", 200),
            ("webhooks", 429),
            ("webhooks", 200),
        ]


async def test_server_errors_on_send_are_retried_and_delivered(harness: Harness) -> None:
    """502: discord.py retries after a second. 503 on a channel message: discord.py gives up and
    the bot retries. 503 on a followup: discord.py's webhook client retries every 5xx."""
    fake = harness.fake
    async with harness.running():
        for status in (502, 503):
            fake.fail_next("POST", "/channels/*/messages", status)
            mark = fake.mark()
            reply = await harness.mention(harness.alice, QUESTION)
            assert reply["embeds"] and button(reply, "dateline:fb:")
            posts = fake.requests_to("POST", f"/channels/{harness.general}/messages", since=mark)
            assert [request.status for request in posts] == [status, 200]

        fake.fail_next("POST", "/webhooks/*/*", 503)
        ix = await fake.slash_command(harness.general, harness.alice, "ask", {"question": QUESTION})
        followup = await ix.wait(lambda r: "webhooks" in r.path and r.status == 200)
        assert followup.json["embeds"]
        tries = [r.status for r in ix.requests() if r.method == "POST" and "webhooks" in r.path]
        assert tries == [503, 200]


async def test_a_send_that_keeps_failing_is_logged_not_retried_forever(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    fake = harness.fake
    async with harness.running():
        fake.fail_next("POST", "/channels/*/messages", 503, times=10)
        mark = fake.mark()
        await fake.send_message(harness.general, harness.alice, f"{fake.bot_mention} {QUESTION}")
        for _ in range(200):
            if "could not send an answer" in caplog.text:
                break
            await asyncio.sleep(0.01)
        assert "could not send an answer" in caplog.text
        posts = fake.requests_to("POST", f"/channels/{harness.general}/messages", since=mark)
        assert len(posts) == delivery.ATTEMPTS
        # The bot is still healthy afterwards.
        fake.rest.faults.clear()
        assert (await harness.mention(harness.alice, QUESTION))["embeds"]


# --- gateway ----------------------------------------------------------------------------------


async def _stream(harness: Harness, tracker: ReplyTracker, count: int, label: str) -> list[str]:
    keys = []
    for number in range(count):
        sent = await harness.fake.send_message(
            harness.general,
            harness.alice,
            f"{harness.fake.bot_mention} {QUESTION} ({label}{number})",
        )
        keys.append(f"message:{sent['id']}")
    return keys


async def _answered_once(tracker: ReplyTracker, keys: Sequence[str]) -> None:
    for key in keys:
        await asyncio.wait_for(tracker.expect(key), 10)
    await asyncio.sleep(0.2)  # a duplicate would arrive now
    tracker.scan()
    assert {key: tracker.counts[key] for key in keys} == dict.fromkeys(keys, 1)


async def test_op7_reconnect_mid_stream_resumes_and_answers_everything(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running(harness.settings(cooldown_rate=1000)):
        (session,) = fake.sessions()
        tracker = ReplyTracker(fake, fake.mark())
        scanner = asyncio.create_task(tracker.run())
        try:
            frames = fake.frame_mark()
            before = await _stream(harness, tracker, 5, "before")
            assert await fake.gateway_reconnect() == 1
            during = await _stream(harness, tracker, 5, "during")
            await fake.wait_for_frame(6, since=frames)  # RESUME, not a new IDENTIFY
            after = await _stream(harness, tracker, 5, "after")
            await _answered_once(tracker, before + during + after)
        finally:
            scanner.cancel()
        assert session.resumes == 1
        assert [frame.op for frame in fake.frames.since(frames) if frame.op == 2] == []


async def test_dropped_socket_mid_stream_resumes_and_answers_everything(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running(harness.settings(cooldown_rate=1000)):
        (session,) = fake.sessions()
        tracker = ReplyTracker(fake, fake.mark())
        scanner = asyncio.create_task(tracker.run())
        try:
            frames = fake.frame_mark()
            before = await _stream(harness, tracker, 5, "before")
            assert await fake.gateway_drop() == 1
            while_down = await _stream(harness, tracker, 5, "down")  # replayed on RESUME
            await fake.wait_for_frame(6, since=frames, timeout=10)
            after = await _stream(harness, tracker, 5, "after")
            await _answered_once(tracker, before + while_down + after)
        finally:
            scanner.cancel()
        assert session.resumes == 1


# --- reload -----------------------------------------------------------------------------------


async def test_a_reload_that_fails_halfway_keeps_the_old_knowledge_and_tells_the_admin(
    harness: Harness,
) -> None:
    """The new build reads every file, then dies while indexing; nothing of it is served."""
    folder = harness.stories()
    stages: list[str] = []

    def dies_while_indexing(
        settings: Settings, paths: Sequence[Path] | None, progress: ProgressCallback | None
    ) -> KnowledgeBase:
        def watch(stage: str, done: int, total: int) -> None:
            stages.append(stage)
            if stage == "indexing" and reloads:
                raise MemoryError("index build ran out of memory")

        return build_knowledge_base(settings, paths, watch)

    reloads: list[int] = []
    settings = harness.settings(folder)
    service = KnowledgeService(settings, builder=dies_while_indexing)
    fake = harness.fake
    async with harness.running(settings, service=service) as bot:
        before = bot.service.knowledge
        reloads.append(1)
        (folder / "extra.txt").write_text(
            "Bridge lights\n\nLONDON, May 5 (Reuters) - The bridge lights were switched on.\n",
            encoding="utf-8",
        )
        stages.clear()
        ix = await fake.slash_command(harness.general, harness.root, "admin reload")
        report = (await ix.followup()).json["embeds"][0]
        assert "indexing" in stages  # it had read and cut every file when it died
        assert report["title"] == "Reload failed — the previous knowledge is still answering"
        assert r"MemoryError\: index build ran out of memory" in report["description"]
        assert bot.service.knowledge is before and before.article_count == 4
        reply = await harness.mention(harness.alice, "Who opened the new bridge over the river?")
        assert reply["embeds"][0]["title"] == "Mayor opens river bridge"
        status = await fake.slash_command(harness.general, harness.root, "admin status")
        shown = {f["name"]: f["value"] for f in (await status.answer())["embeds"][0]["fields"]}
        assert shown["Last reload"].startswith("failed, ")
        assert bot.store is not None
        rows = await bot.store.audit_log(5) or []
        assert [(row.action, row.result) for row in rows] == [
            ("admin status", "ok"),
            ("admin reload", "error"),
        ]


async def test_a_file_the_loader_rejects_is_reported_and_the_rest_loads(harness: Harness) -> None:
    folder = harness.stories()
    (folder / "broken.txt").write_bytes(b"\xff\xfe\x00binary\x00\x00garbage\x9c" * 50)
    (folder / "broken.json").write_text('{"title": "half a record", "text": ', encoding="utf-8")
    fake = harness.fake
    async with harness.running(harness.settings(folder)) as bot:
        ix = await fake.slash_command(harness.general, harness.root, "admin reload")
        report = (await ix.followup()).json["embeds"][0]
        assert report["title"] == "Knowledge reloaded"
        problems = {f["name"]: f["value"] for f in report["fields"]}
        assert any(name.startswith("Problems (") for name in problems)
        text = "\n".join(problems.values())
        assert "broken.json" in text
        assert bot.service.knowledge.article_count >= 4


# --- database ---------------------------------------------------------------------------------


async def test_answers_flow_while_the_database_is_locked_and_the_failure_is_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    Store.open(harness.database).close()  # create and migrate
    store = await AsyncStore.open(harness.database, busy_timeout=1.0)
    locker = sqlite3.connect(harness.database, isolation_level=None)
    caplog.set_level(logging.INFO, logger="bot.records")
    try:
        async with harness.running(harness.settings(), store=store) as bot:
            locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
            fake = harness.fake
            mark = fake.mark()
            started = time.perf_counter()
            asked = [
                await fake.send_message(
                    harness.general, harness.alice, f"{fake.bot_mention} {QUESTION} ({n})"
                )
                for n in range(3)
            ]
            tracker = ReplyTracker(fake, mark)
            for message in asked:
                await asyncio.wait_for(tracker_wait(tracker, f"message:{message['id']}"), 5)
            answered_after = time.perf_counter() - started
            # Not held back by the 1 s busy timeout of each queued write.
            assert answered_after < 1.0, answered_after
            for reply in tracker.first_reply.values():
                assert reply.json["embeds"]
                assert button(reply.json, "dateline:fb:0:")  # id unknown yet: looked up later
            for _ in range(400):
                if "database is locked" in caplog.text:
                    break
                await asyncio.sleep(0.01)
            assert "storage unavailable, carrying on without it" in caplog.text
            assert "database is locked" in caplog.text
            locker.execute("ROLLBACK")
            again = await harness.mention(harness.alice, QUESTION)
            assert again["embeds"]
            stats = await bot.store.stats() if bot.store else None
            assert stats is not None and stats.questions_asked >= 1
    finally:
        locker.close()
        await store.close()


async def tracker_wait(tracker: ReplyTracker, key: str) -> Any:
    while key not in tracker.counts:
        tracker.scan()
        await asyncio.sleep(0.005)
    return tracker.first_reply[key]


async def test_answers_flow_with_a_read_only_database(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    Store.open(harness.database).close()
    store = await AsyncStore.open(harness.database, read_only=True)
    try:
        async with harness.running(harness.settings(), store=store):
            reply = await harness.mention(harness.alice, QUESTION)
            assert reply["embeds"]
            ix = await harness.fake.slash_command(
                harness.general, harness.alice, "ask", {"question": QUESTION}
            )
            assert (await ix.followup()).json["embeds"]
            for _ in range(200):
                if "readonly database" in caplog.text:
                    break
                await asyncio.sleep(0.01)
            assert "record_question failed: attempt to write a readonly database" in caplog.text
    finally:
        await store.close()

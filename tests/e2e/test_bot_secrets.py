"""The bot token never leaks: run the real start-up path (`serve`) with a recognisable fake token,
use every feature, and look for the token in every log record (DEBUG, all loggers, discord's
included, captured *without* the redacting filter), every REST payload and gateway frame apart
from the two places the protocol needs it, every reply, and every byte written under the test
folder (database, WAL, snapshot cache, knowledge, logs)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.frontends.discord.bot import DatelineBot
from bot.frontends.discord.launcher import EXIT_OK, serve, token_of
from bot.frontends.discord.redaction import RedactSecrets
from bot.settings import Settings

from .dateline_harness import Harness, button
from .fakes.discord_server import FakeDiscord
from .fakes.state import ADMINISTRATOR, FakeFile

pytestmark = pytest.mark.timeout(30)

SECRET = "TEST-TOKEN-DO-NOT-LEAK.abc123"
UPLOAD = (
    b"Bridge lights switched on\n\nLONDON, May 5 (Reuters) - The mayor switched on the new "
    b"bridge lights on Friday evening.\n"
)


@asynccontextmanager
async def running_serve(settings: Settings) -> AsyncIterator[DatelineBot]:
    """`serve()` (what `dateline run` runs) in the background; stopped like SIGTERM would."""
    started: list[DatelineBot] = []

    def factory(given: Settings) -> DatelineBot:
        bot = DatelineBot(given, guild_ready_timeout=0.1)
        started.append(bot)
        return bot

    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, token_of(settings), stop=stop, factory=factory))
    for _ in range(500):
        if started and started[0].is_ready():
            break
        if task.done():
            break
        await asyncio.sleep(0.01)
    assert started and started[0].is_ready(), "the bot did not start"
    try:
        yield started[0]
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 10) == EXIT_OK


@asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[Harness]:
    async with FakeDiscord(token=SECRET) as fake:
        with fake.patch_discord():
            guild = await fake.add_guild("Newsroom", channels=("general", "news"))
            admin = await fake.add_role(guild, "Admin", ADMINISTRATOR)
            await fake.add_user(guild, "alice")
            await fake.add_user(guild, "root", roles=[admin])
            yield Harness(fake, guild, tmp_path)


def settings_for(harness: Harness) -> Settings:
    return harness.settings(
        harness.stories(),
        discord_token=SECRET,
        use_snapshot=True,  # snapshot files are written to the cache folder
        qa_channel_ids=[harness.news],
        message_content_intent=True,
    )


def files_containing(root: Path, needle: bytes) -> list[str]:
    return [
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    ]


async def use_everything(harness: Harness, bot: DatelineBot) -> None:
    """Ask every way, vote, and run every admin command once."""
    fake = harness.fake
    reply = await harness.mention(harness.alice, "Who opened the new bridge over the river?")
    vote = await fake.click_button(reply, button(reply, "dateline:fb:")["custom_id"], harness.root)
    await vote.callback()
    mark = fake.mark()
    await fake.send_message(harness.news, harness.alice, "How many tanks did the navy buy?")
    await fake.wait_for_bot_message(harness.news, since=mark)
    commands: list[tuple[Any, str, dict[str, Any]]] = [
        (harness.alice, "ask", {"question": "When did the ferry stop running?"}),
        (harness.alice, "sources", {}),
        (harness.alice, "help", {}),
        (harness.alice, "admin status", {}),  # refused: not an admin
        (harness.root, "admin status", {}),
        (harness.root, "admin reload", {}),
        (harness.root, "admin stats", {"period": "all"}),
        (harness.root, "admin knowledge add", {"file": FakeFile("lights.txt", UPLOAD)}),
        (harness.root, "admin knowledge list", {}),
        (harness.root, "admin knowledge remove", {"article": "lights.txt"}),
        (harness.root, "admin reload-extensions", {}),
        (harness.root, "admin sync", {}),
    ]
    for user, command, options in commands:
        ix = await fake.slash_command(harness.general, user, command, options)
        await ix.answer()
        await ix.wait(lambda r: r.method in ("POST", "PATCH") and r.status < 300, timeout=10)
    assert bot.store is not None
    assert (await bot.store.audit_log(50) or []) != []


def assert_token_only_where_the_protocol_needs_it(fake: FakeDiscord) -> None:
    for request in fake.requests:
        authorization = request.headers.get("Authorization", "")
        assert authorization in ("", f"Bot {SECRET}")  # the one header that must carry it
        others = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        text = json.dumps(
            [request.path, dict(request.query), request.json, request.response, others],
            default=str,
        )
        assert SECRET not in text, f"{request.method} {request.path}"
    identifies = 0
    for frame in fake.frames:
        text = json.dumps(frame.data, default=str)
        if frame.op in (2, 6):  # IDENTIFY and RESUME carry the token by design
            identifies += 1
            continue
        assert SECRET not in text, frame.op
    assert identifies >= 1


async def test_the_token_appears_in_no_log_reply_payload_snapshot_or_database_row(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, discord.* included; no redacting filter
    async with world(tmp_path) as harness:
        settings = settings_for(harness)
        async with running_serve(settings) as bot:
            await use_everything(harness, bot)
            frames = harness.fake.frame_mark()  # a RESUME re-sends the token: still nowhere else
            await harness.fake.gateway_reconnect()
            await harness.fake.wait_for_frame(6, since=frames)
            reply = await harness.mention(harness.alice, "Who opened the new bridge?")
            assert reply["embeds"]
        assert_token_only_where_the_protocol_needs_it(harness.fake)
    logged = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    assert len(logged) > 50 and any(r.name.startswith("discord.") for r in caplog.records)
    assert not [line for line in logged if SECRET in line]
    assert SECRET not in caplog.text
    assert (tmp_path / "dateline.sqlite3").exists()
    assert list((tmp_path / "cache").rglob("*")), "no snapshot was written"
    assert files_containing(tmp_path, SECRET.encode()) == []
    assert files_containing(tmp_path, SECRET.encode("utf-16-le")) == []


async def test_an_error_carrying_the_token_is_neither_shown_nor_logged(tmp_path: Path) -> None:
    """Should some library put the token into an exception, the user still sees a generic
    message, and the production logging set-up (`RedactSecrets` on every handler) hides it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(SECRET))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        async with world(tmp_path) as harness, running_serve(settings_for(harness)) as bot:

            def leaky(question: str, alternatives: int | None = None) -> None:
                raise RuntimeError(f"401 Unauthorized: Authorization: Bot {SECRET}")

            bot.service.ask = leaky  # type: ignore[method-assign,assignment]
            reply = await harness.mention(harness.alice, "Who opened the new bridge?")
            assert reply["content"].startswith("Something went wrong on my side")
            ix = await harness.fake.slash_command(
                harness.general, harness.alice, "ask", {"question": "who opened the bridge?"}
            )
            followup = await ix.followup()
            assert followup.json["content"].startswith("Something went wrong on my side")
            assert_token_only_where_the_protocol_needs_it(harness.fake)
    finally:
        root.removeHandler(handler)
    output = stream.getvalue()
    assert "Unauthorized: Authorization: Bot [token]" in output  # it was logged, redacted
    assert SECRET not in output
    assert files_containing(tmp_path, SECRET.encode()) == []


async def test_interaction_tokens_are_redacted_from_debug_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """discord.py logs interaction tokens in full at debug level (gateway payloads, webhook
    URLs); the filter every handler gets hides them, as it hides the bot token."""
    caplog.set_level(logging.DEBUG)  # unfiltered: shows that the tokens do reach the logs
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.addFilter(RedactSecrets(SECRET))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        async with world(tmp_path) as harness, running_serve(settings_for(harness)):
            fake = harness.fake
            ix = await fake.slash_command(
                harness.general, harness.alice, "ask", {"question": "who opened the bridge?"}
            )
            await ix.answer()
            status = await fake.slash_command(harness.general, harness.root, "admin status")
            await status.answer()
            tokens = list(fake.world.interactions)
    finally:
        root.removeHandler(handler)
    assert len(tokens) >= 2
    assert any(token in caplog.text for token in tokens), "discord.py logged no token to hide"
    output = stream.getvalue()
    assert "[redacted]" in output
    assert [token for token in tokens if token in output] == []
    assert SECRET not in output

"""`dateline run`: check the token, set up logging, run the bot until SIGINT/SIGTERM.

The token is a `SecretStr` until the moment it is handed to discord.py, and a logging filter
on every handler (`bot.frontends.discord.redaction`) replaces it with `[token]` should any
message ever contain it, and interaction tokens with `[redacted]`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import logging.handlers
import signal
from collections.abc import Callable

import aiohttp
import discord

from bot.errors import DatelineError, SettingsError
from bot.frontends.discord.bot import DatelineBot, create_bot
from bot.frontends.discord.redaction import RedactSecrets
from bot.settings import Settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_CONFIG = 2

MISSING_TOKEN = (
    "DISCORD_TOKEN is not set: copy .env.example to .env and put your bot token there "
    "(docs/discord.md explains how to get one)"
)
LOG_FILE_BYTES = 5_000_000
LOG_FILE_BACKUPS = 3


def token_of(settings: Settings) -> str:
    """The bot token, or a `SettingsError` pointing at `.env.example` (exit code 2)."""
    token = settings.discord_token
    secret = token.get_secret_value().strip() if token is not None else ""
    if not secret:
        raise SettingsError(MISSING_TOKEN)
    return secret


def configure_logging(settings: Settings, secret: str = "") -> None:
    """discord.py's `setup_logging` on the root logger (colour on a terminal), plus a rotating
    file when `DATELINE_LOG_FILE` is set; replaces the CLI's basic stderr handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    level = getattr(logging, settings.log_level)
    discord.utils.setup_logging(level=level, root=True)
    if settings.log_file is not None:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            settings.log_file,
            maxBytes=LOG_FILE_BYTES,
            backupCount=LOG_FILE_BACKUPS,
            encoding="utf-8",
        )
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-8s %(name)s: %(message)s")
        )
        root.addHandler(file_handler)
    for handler in root.handlers:
        handler.addFilter(RedactSecrets(secret))


def run_bot(settings: Settings) -> int:
    """Run the bot until SIGINT/SIGTERM; returns the process exit code.

    Raises `SettingsError` (the CLI prints it and exits 2) when there is no token.
    """
    secret = token_of(settings)
    configure_logging(settings, secret)
    try:
        return asyncio.run(serve(settings, secret))
    except KeyboardInterrupt:  # a second Ctrl-C while shutting down
        return 130


async def serve(
    settings: Settings,
    token: str,
    *,
    stop: asyncio.Event | None = None,
    factory: Callable[[Settings], DatelineBot] = create_bot,
) -> int:
    """Start the bot and close it cleanly when `stop` is set (by SIGINT/SIGTERM by default)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
    bot = factory(settings)
    try:
        async with bot:
            runner = asyncio.create_task(bot.start(token), name="dateline-bot")
            stopper = asyncio.create_task(stop.wait(), name="dateline-stop")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("shutting down")
                await bot.close()
            stopper.cancel()
            await runner
    except discord.LoginFailure:
        log.error(
            "Discord rejected DISCORD_TOKEN: check the token in .env (Developer Portal → "
            "your application → Bot → Reset Token)"
        )
        return EXIT_CONFIG
    except discord.PrivilegedIntentsRequired:
        log.error(
            "DATELINE_MESSAGE_CONTENT_INTENT is on but the Message Content Intent is not "
            "enabled for this bot in the Developer Portal (Bot → Privileged Gateway Intents)"
        )
        return EXIT_CONFIG
    except DatelineError as error:
        log.error("%s", error)
        return EXIT_PROBLEM
    except (OSError, aiohttp.ClientError, discord.HTTPException) as error:
        log.error("could not connect to Discord: %s", error)
        return EXIT_PROBLEM
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
    log.info("stopped")
    return EXIT_OK

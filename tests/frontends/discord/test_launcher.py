"""`dateline run` without a token fails with one clear line; the token never reaches a log."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.frontends.cli.main import main
from bot.frontends.discord.bot import ShardedDatelineBot, build_intents, create_bot
from bot.frontends.discord.launcher import configure_logging, token_of
from bot.frontends.discord.redaction import RedactSecrets
from bot.settings import load_settings


def test_run_without_token_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "DISCORD_TOKEN" in err and ".env.example" in err


def test_blank_token_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "   ")
    with pytest.raises(SettingsError, match=r"\.env\.example"):
        token_of(load_settings())


def test_token_is_redacted_from_log_records() -> None:
    secret = "MTIz.secret.token"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "login with %s", (secret,), None)
    RedactSecrets(secret).filter(record)
    assert secret not in record.getMessage() and "[token]" in record.getMessage()
    settings = load_settings(discord_token=secret)
    assert secret not in repr(settings) and secret not in str(settings.discord_token)


def test_interaction_tokens_are_redacted_in_payloads_and_urls() -> None:
    payload = {"id": "1", "type": 2, "token": "aW50ZXJhY3Rpb246MTIzOmFiYw", "version": 1}
    url = "POST https://discord.com/api/v10/webhooks/42/aW50ZXJhY3Rpb24.x-_=/messages/@original"
    callback = "/api/v10/interactions/7/aW50ZXJhY3Rpb24/callback has returned 204"
    for text in (
        f"WebSocket Event: {payload}",
        url,
        callback,
        f'{{"token": "{payload["token"]}"}}',
    ):
        record = logging.LogRecord("discord.http", logging.DEBUG, __file__, 1, "%s", (text,), None)
        RedactSecrets().filter(record)
        shown = record.getMessage()
        assert "aW50ZXJhY3Rpb24" not in shown and "[redacted]" in shown
    record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "/webhooks/42/abc", None, None)
    RedactSecrets().filter(record)
    assert record.getMessage() == "/webhooks/42/[redacted]"


def test_every_handler_the_bot_installs_redacts(tmp_path: Path) -> None:
    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        configure_logging(load_settings(log_file=tmp_path / "bot.log"), "MTIz.secret")
        assert len(root.handlers) >= 2  # the console and the file
        for handler in root.handlers:
            assert any(isinstance(f, RedactSecrets) for f in handler.filters), handler
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in saved:
            root.addHandler(handler)


def test_intents_and_sharding_follow_settings(tmp_path: Path) -> None:
    plain = load_settings(database_path=tmp_path / "db.sqlite3")
    assert not build_intents(plain).message_content
    assert build_intents(load_settings(message_content_intent=True)).message_content
    sharded = create_bot(load_settings(shard_count=2, shard_ids=[1]))
    assert isinstance(sharded, ShardedDatelineBot)
    assert sharded.shard_count == 2 and sharded.shard_ids == [1]
    assert not isinstance(create_bot(plain), ShardedDatelineBot)
    with pytest.raises(SettingsError, match="SHARD_COUNT"):
        create_bot(load_settings(shard_ids=[0]))


def test_no_voice_warnings_at_start_up() -> None:
    """discord.py warns once per process that PyNaCl and davey are missing: not our concern."""
    code = (
        "import logging; logging.basicConfig(level=logging.INFO)\n"
        "from bot.frontends.discord.bot import DatelineBot\n"
        "from bot.settings import load_settings\n"
        "DatelineBot(load_settings(_env_file=None))\n"
        "print('created')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "created" in done.stdout
    assert "voice will NOT be supported" not in done.stderr

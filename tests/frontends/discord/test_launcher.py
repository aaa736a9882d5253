"""`dateline run` without a token fails with one clear line; the token never reaches a log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.frontends.cli.main import main
from bot.frontends.discord.bot import ShardedDatelineBot, build_intents, create_bot
from bot.frontends.discord.launcher import RedactToken, token_of
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
    RedactToken(secret).filter(record)
    assert secret not in record.getMessage() and "[token]" in record.getMessage()
    settings = load_settings(discord_token=secret)
    assert secret not in repr(settings) and secret not in str(settings.discord_token)


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

"""Settings: environment and .env parsing, list formats, and one-line errors naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import env_name, load_settings


def test_lists_accept_commas_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATELINE_ADMIN_ROLE_IDS", "1, 2,3")
    monkeypatch.setenv("DATELINE_QA_CHANNEL_IDS", "[10, 20]")
    monkeypatch.setenv("DATELINE_KNOWLEDGE_PATHS", "a,b/c")
    settings = load_settings()
    assert settings.admin_role_ids == [1, 2, 3]
    assert settings.qa_channel_ids == [10, 20]
    assert settings.knowledge_paths == [Path("a"), Path("b/c")]


def test_token_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    settings = load_settings()
    assert settings.discord_token is not None
    assert "not-a-real-token" not in repr(settings) and "not-a-real-token" not in str(settings)
    assert settings.discord_token.get_secret_value() == "not-a-real-token"
    assert env_name("discord_token") == "DISCORD_TOKEN"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATELINE_BM25_B", "2"),
        ("DATELINE_LANGUAGE", "klingon"),
        ("DATELINE_PASSAGE_WORDS", "many"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert variable in str(error.value)
    assert "\n" not in str(error.value)


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("DATELINE_ALTERNATIVES=7\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_settings().alternatives == 7


def test_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATELINE_ALTERNATIVES", "3")
    assert load_settings(alternatives=1).alternatives == 1


def test_reranker_off_by_its_documented_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATELINE_RERANKER", "off")
    assert load_settings().reranker is False
    monkeypatch.setenv("DATELINE_RERANKER", "on")
    assert load_settings().reranker is True

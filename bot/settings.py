"""All configuration in one validated `Settings` object, read from the environment and `.env`.

Every variable is prefixed `DATELINE_` except the bot token, which is the conventional
`DISCORD_TOKEN`. Lists accept JSON (`[1, 2]`) or comma-separated values (`1,2`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import SettingsError

ENV_PREFIX = "DATELINE_"

Language = Literal["english", "russian", "german", "french", "spanish", "italian", "portuguese"]
BM25Variant = Literal["okapi", "plus", "l"]


def _split_list(value: Any) -> Any:
    """Accept `1,2,3`, `[1, 2, 3]` or an empty string for list settings."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Everything configurable about Dateline; see `.env.example` for one line on each."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        populate_by_name=True,
    )

    # --- knowledge -------------------------------------------------------------------
    knowledge_paths: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [Path("knowledge")]
    )
    language: Language = "english"
    max_file_bytes: int = Field(default=50_000_000, gt=0)
    passage_words: int = Field(default=150, ge=20, le=2000)
    cache_dir: Path = Path(".dateline-cache")
    use_snapshot: bool = True
    # A reload whose article files are gone for more than this share of the serving articles
    # is refused until confirmed (bot.serving.reload_guard), as is a missing knowledge path.
    reload_max_removed_share: float = Field(default=0.5, ge=0, le=1)

    # --- retrieval and answers ---------------------------------------------------------
    bm25_variant: BM25Variant = "okapi"
    bm25_k1: float = Field(default=1.5, ge=0)
    bm25_b: float = Field(default=0.75, ge=0, le=1)
    bm25_epsilon: float = Field(default=0.25, ge=0)
    bm25_delta: float = Field(default=1.0, ge=0)
    max_question_chars: int = Field(default=500, ge=10, le=10_000)
    quote_max_chars: int = Field(default=400, ge=80, le=1500)
    alternatives: int = Field(default=4, ge=0, le=20)
    abstain_threshold: float = Field(default=0.5, ge=0, le=1)
    semantic_similarity: bool = True
    # The neural re-ranking stage (bot.answers.neural): DATELINE_RERANKER=off answers BM25-only.
    reranker: bool = True
    reranker_threads: int = Field(default=2, ge=1, le=64)
    # Embed the whole knowledge base in the background once it serves (the bot, `dateline
    # index build`); off, only the candidates of questions asked are embedded, as they come.
    reranker_background: bool = True
    # Where the encoder's vectors are kept (default: <cache_dir>/vectors); shared safely by
    # every process and knowledge base, since vectors are keyed by text and model.
    vector_dir: Path | None = None

    # --- discord -----------------------------------------------------------------------
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    dev_guild_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    qa_channel_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    thread_mode: bool = False
    admin_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    admin_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    cooldown_rate: int = Field(default=5, ge=1)
    cooldown_per_seconds: float = Field(default=60.0, gt=0)
    message_content_intent: bool = False
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[list[int] | None, NoDecode] = None
    log_file: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # --- operations --------------------------------------------------------------------
    database_path: Path = Path("dateline.sqlite3")
    retention_days: int = Field(default=90, ge=1)
    upload_max_bytes: int = Field(default=5_000_000, gt=0)
    watch_knowledge: bool = False
    snapshot_poll_seconds: float = Field(default=2.0, gt=0)

    @field_validator(
        "knowledge_paths",
        "dev_guild_ids",
        "qa_channel_ids",
        "admin_role_ids",
        "admin_user_ids",
        "shard_ids",
        mode="before",
    )
    @classmethod
    def _lists_from_text(cls, value: Any) -> Any:
        return _split_list(value)

    @field_validator("knowledge_paths")
    @classmethod
    def _at_least_one_path(cls, value: list[Path]) -> list[Path]:
        if not value:
            raise ValueError("give at least one file or folder")
        return value


def env_name(field: str) -> str:
    """The environment variable a settings field is read from."""
    info = Settings.model_fields.get(field)
    if info is not None and isinstance(info.validation_alias, str):
        return info.validation_alias
    return f"{ENV_PREFIX}{field.upper()}"


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings once; an invalid value raises one readable `SettingsError`."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        name = env_name(field) if field in Settings.model_fields else field
        raise SettingsError(f"invalid setting {name}: {first['msg']}") from None


def default(name: str) -> Any:
    """The default of one setting, for core functions that take it as a parameter: each
    setting's default is written once, here."""
    return Settings.model_fields[name].default

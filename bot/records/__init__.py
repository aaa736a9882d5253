"""Records: what Dateline remembers in SQLite (question outcomes, feedback, the admin audit
trail), the strict store, its async tolerant facade, and reporting periods.
"""

from bot.records.async_store import AsyncStore
from bot.records.model import (
    AuditResult,
    QuotedArticle,
    SchemaVersionError,
    Stats,
    StorageError,
    UnansweredQuestion,
    normalise_question,
    utc_now,
)
from bot.records.periods import describe_since, parse_since
from bot.records.schema import SCHEMA_VERSION, apply_migrations
from bot.records.store import Store

__all__ = [
    "SCHEMA_VERSION",
    "AsyncStore",
    "AuditResult",
    "QuotedArticle",
    "SchemaVersionError",
    "Stats",
    "StorageError",
    "Store",
    "UnansweredQuestion",
    "apply_migrations",
    "describe_since",
    "normalise_question",
    "parse_since",
    "utc_now",
]

"""The history database's schema as a list of migrations, applied in order at open."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from contextlib import suppress
from typing import Final

from bot.records.model import SchemaVersionError

logger = logging.getLogger(__name__)

# Each migration is a list of statements run in one transaction together with the version bump.
# Append new migrations; never edit a released one. The schema version is the list's length.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        """
        CREATE TABLE questions (
            id          INTEGER PRIMARY KEY,
            asked_at    TEXT    NOT NULL,
            front_end   TEXT    NOT NULL,
            guild_id    INTEGER,
            channel_id  INTEGER,
            user_id     INTEGER,
            message_id  INTEGER,
            question    TEXT    NOT NULL,
            answered    INTEGER NOT NULL CHECK (answered IN (0, 1)),
            article_id  TEXT,
            score       REAL
        )
        """,
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
        "CREATE UNIQUE INDEX questions_message_id ON questions (message_id)",
        """
        CREATE TABLE feedback (
            question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
            user_id     INTEGER NOT NULL,
            vote        INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            voted_at    TEXT    NOT NULL,
            PRIMARY KEY (question_id, user_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX feedback_voted_at ON feedback (voted_at)",
        """
        CREATE TABLE audit (
            id          INTEGER PRIMARY KEY,
            at          TEXT    NOT NULL,
            guild_id    INTEGER,
            user_id     INTEGER,
            user_name   TEXT,
            action      TEXT    NOT NULL,
            detail      TEXT    NOT NULL DEFAULT '{}',
            result      TEXT    NOT NULL,
            message     TEXT    NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX audit_at ON audit (at)",
    ),
)


SCHEMA_VERSION: Final = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def refuse_newer(version: int, known: int, where: str) -> None:
    if version > known:
        raise SchemaVersionError(
            f"database {where} has schema version {version}, but this Dateline only knows "
            f"up to version {known}; upgrade Dateline or point DATELINE_DATABASE_PATH elsewhere "
            "(the file was not modified)"
        )


def apply_migrations(
    conn: sqlite3.Connection,
    migrations: Sequence[Sequence[str]] = MIGRATIONS,
    *,
    where: str = "",
) -> int:
    """Bring the schema up to date in one transaction; returns how many migrations ran.

    `conn` must be in autocommit mode (`isolation_level=None`). An up-to-date database is only
    read, never written; a newer one raises `SchemaVersionError`; a failing step rolls back all.
    """
    known = len(migrations)
    current = schema_version(conn)
    refuse_newer(current, known, where)
    if current == known:
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(conn)  # another process may have migrated meanwhile
        refuse_newer(current, known, where)
        for number in range(current, known):
            for statement in migrations[number]:
                conn.execute(statement)
            logger.info("storage: applied schema migration %d", number + 1)
        conn.execute(f"PRAGMA user_version = {int(known)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
    return known - current

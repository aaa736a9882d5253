"""What Dateline remembers: question outcomes, answer feedback and the admin audit trail.

One embedded SQLite file (stdlib `sqlite3`, no ORM). Privacy first: only what the statistics and
the audit view need is stored, and `Store.prune` deletes everything older than the retention
period. User ids are stored as given (Discord snowflakes) because feedback is one vote per user;
question text is stored because "most frequent unanswered questions" needs it, and it is never
written to the log.

Concurrency: a `Store` owns ONE connection guarded by a lock (`check_same_thread=False`), so any
thread may call it and calls are serialised. SQLite allows one writer at a time anyway, and a
single connection keeps `close()` deterministic. `AsyncStore` runs every call on one dedicated
worker thread so the event loop never waits on the disk, and it is tolerant by default: a locked,
read-only or full database is logged and reported as `None`/`False` so the bot keeps answering.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self, get_args

from bot.records.model import (
    AuditEntry,
    AuditResult,
    FrontEnd,
    QuotedArticle,
    Stats,
    StorageError,
    UnansweredQuestion,
    normalise_question,
    utc_now,
)
from bot.records.schema import (
    SCHEMA_VERSION,
    apply_migrations,
    refuse_newer,
    schema_version,
)

logger = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT: Final = 5.0
"""Seconds a call waits for another writer before giving up with "database is locked"."""


MEMORY: Final = ":memory:"


_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so text order is time order


_SECRET_KEY = re.compile(r"token|secret|password|passwd|api[_-]?key|authorization", re.IGNORECASE)


def _to_text(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware datetime (UTC)")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def _from_text(text: str) -> datetime:
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


def _redact(detail: Mapping[str, Any]) -> dict[str, Any]:
    """Never store a secret in the audit trail, even if a caller passes one by mistake."""
    clean: dict[str, Any] = {}
    for key, value in detail.items():
        if _SECRET_KEY.search(str(key)):
            clean[str(key)] = "[redacted]"
        elif isinstance(value, Mapping):
            clean[str(key)] = _redact(value)
        else:
            clean[str(key)] = value
    return clean


def _create_private(path: Path) -> None:
    """Create a new database file readable only by its owner (it holds user ids)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


class Store:
    """Strict, thread-safe access to the database: every failure raises `StorageError`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        where: str,
        clock: Callable[[], datetime] = utc_now,
        migrations_applied: int = 0,
    ) -> None:
        """Use `Store.open`; this wraps an already configured autocommit connection."""
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.RLock()
        self._clock = clock
        self.where = where
        self.migrations_applied = migrations_applied

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        read_only: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> Store:
        """Open (creating and migrating if needed) the database at `path`, or ":memory:".

        `read_only` opens without write access (no migration: an outdated file is refused).
        """
        memory = str(path) == MEMORY
        where = MEMORY if memory else str(path)
        try:
            if memory:
                conn = sqlite3.connect(
                    MEMORY, timeout=busy_timeout, isolation_level=None, check_same_thread=False
                )
            elif read_only:
                uri = Path(path).resolve().as_uri() + "?mode=ro"
                conn = sqlite3.connect(
                    uri,
                    uri=True,
                    timeout=busy_timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                _create_private(Path(path))
                conn = sqlite3.connect(
                    path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
                )
        except (sqlite3.Error, OSError) as error:
            raise StorageError(f"cannot open database {where}: {error}") from error
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            conn.create_function("dateline_normalise", 1, normalise_question, deterministic=True)
            refuse_newer(schema_version(conn), SCHEMA_VERSION, where)  # before any write
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            if read_only:
                version = schema_version(conn)
                if version != SCHEMA_VERSION:
                    raise StorageError(
                        f"database {where} has schema version {version}, expected "
                        f"{SCHEMA_VERSION}; it cannot be migrated when opened read-only"
                    )
                applied = 0
            else:
                if not memory:
                    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                    if str(mode).lower() != "wal":
                        logger.warning("storage: WAL journal mode unavailable (got %s)", mode)
                applied = apply_migrations(conn, where=where)
        except sqlite3.Error as error:
            conn.close()
            raise StorageError(f"cannot open database {where}: {error}") from error
        except BaseException:
            conn.close()
            raise
        return cls(conn, where=where, clock=clock, migrations_applied=applied)

    # --- lifecycle ---

    def close(self) -> None:
        """Close the connection; further calls raise `StorageError`. Safe to call twice."""
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                conn.close()

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._conn is None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The database's `PRAGMA user_version`."""
        with self._session("schema_version") as conn:
            return schema_version(conn)

    # --- plumbing ---

    @contextmanager
    def _session(self, op: str) -> Iterator[sqlite3.Connection]:
        """Hold the lock and turn any sqlite3 error into a `StorageError` naming the operation."""
        with self._lock:
            if self._conn is None:
                raise StorageError(f"{op}: the store is closed")
            try:
                yield self._conn
            except sqlite3.Error as error:
                raise StorageError(f"{op} failed: {error}") from error

    @contextmanager
    def _transaction(self, op: str, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction; writes take the write lock up front (IMMEDIATE) to avoid deadlocks."""
        with self._session(op) as conn:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    def _stamp(self, moment: datetime | None) -> str:
        return _to_text(self._clock() if moment is None else moment)

    # --- writes ---

    def record_question(
        self,
        *,
        question: str,
        answered: bool,
        front_end: FrontEnd,
        article_id: str | None = None,
        score: float | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        message_id: int | None = None,
        asked_at: datetime | None = None,
    ) -> int:
        """Store one question's outcome; returns its id (use it to link feedback)."""
        if front_end not in get_args(FrontEnd):
            raise ValueError(f"unknown front end {front_end!r}")
        stamp = self._stamp(asked_at)
        with self._transaction("record_question") as conn:
            cursor = conn.execute(
                "INSERT INTO questions (asked_at, front_end, guild_id, channel_id, user_id,"
                " message_id, question, answered, article_id, score)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stamp,
                    front_end,
                    guild_id,
                    channel_id,
                    user_id,
                    message_id,
                    question,
                    int(bool(answered)),
                    article_id,
                    score,
                ),
            )
            if cursor.lastrowid is None:  # pragma: no cover - INSERT always sets it
                raise StorageError("record_question failed: no row id")
            return cursor.lastrowid

    def link_message(self, question_id: int, message_id: int) -> bool:
        """Attach the answer's message id once it is known; False if the question is gone."""
        with self._transaction("link_message") as conn:
            cursor = conn.execute(
                "UPDATE questions SET message_id = ? WHERE id = ?", (message_id, question_id)
            )
            return cursor.rowcount > 0

    def record_feedback(
        self,
        *,
        user_id: int,
        vote: int,
        question_id: int | None = None,
        message_id: int | None = None,
        voted_at: datetime | None = None,
    ) -> bool:
        """Store a +1/-1 vote on an answer, replacing that user's earlier vote on it.

        Identify the answer by `question_id` or by its `message_id`. Returns False when no such
        answer is stored (e.g. already pruned).
        """
        if vote not in (1, -1):
            raise ValueError("vote must be +1 or -1")
        if (question_id is None) == (message_id is None):
            raise ValueError("give exactly one of question_id and message_id")
        stamp = self._stamp(voted_at)
        with self._transaction("record_feedback") as conn:
            if question_id is not None:
                row = conn.execute("SELECT id FROM questions WHERE id = ?", (question_id,))
            else:
                row = conn.execute("SELECT id FROM questions WHERE message_id = ?", (message_id,))
            found = row.fetchone()
            if found is None:
                return False
            conn.execute(
                "INSERT INTO feedback (question_id, user_id, vote, voted_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (question_id, user_id)"
                " DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                (found[0], user_id, vote, stamp),
            )
            return True

    def record_audit(
        self,
        *,
        action: str,
        result: AuditResult,
        guild_id: int | None = None,
        user_id: int | None = None,
        user_name: str | None = None,
        detail: Mapping[str, Any] | None = None,
        message: str = "",
        at: datetime | None = None,
    ) -> int:
        """Store one admin action (keys that look like secrets in `detail` are redacted)."""
        if result not in get_args(AuditResult):
            raise ValueError(f"unknown audit result {result!r}")
        text = json.dumps(_redact(detail or {}), sort_keys=True, ensure_ascii=False, default=str)
        stamp = self._stamp(at)
        with self._transaction("record_audit") as conn:
            cursor = conn.execute(
                "INSERT INTO audit (at, guild_id, user_id, user_name, action, detail, result,"
                " message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (stamp, guild_id, user_id, user_name, action, text, result, message),
            )
            if cursor.lastrowid is None:  # pragma: no cover - INSERT always sets it
                raise StorageError("record_audit failed: no row id")
            return cursor.lastrowid

    def prune(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Delete questions, votes and audit rows older than the retention; returns rows deleted.

        Votes on a pruned question go with it, even if the vote itself is recent.
        """
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        cutoff = _to_text((self._clock() if now is None else now) - timedelta(days=retention_days))
        with self._transaction("prune") as conn:
            votes = conn.execute(
                "DELETE FROM feedback WHERE voted_at < ?"
                " OR question_id IN (SELECT id FROM questions WHERE asked_at < ?)",
                (cutoff, cutoff),
            ).rowcount
            questions = conn.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
            audits = conn.execute("DELETE FROM audit WHERE at < ?", (cutoff,)).rowcount
        if questions or votes or audits:
            logger.info(
                "storage: pruned %d questions, %d votes, %d audit rows older than %d days",
                questions,
                votes,
                audits,
                retention_days,
            )
        return questions + votes + audits

    # --- reads ---

    def stats(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        top_n: int = 10,
        *,
        guild_id: int | None = None,
    ) -> Stats:
        """Figures for questions asked and votes cast in [since, until); all guilds if None."""
        if top_n < 0:
            raise ValueError("top_n must not be negative")
        low = _to_text(since) if since is not None else ""
        high = _to_text(until) if until is not None else "~"  # "~" sorts after every timestamp
        where = "q.asked_at >= ? AND q.asked_at < ?"
        params: tuple[Any, ...] = (low, high)
        if guild_id is not None:
            where += " AND q.guild_id = ?"
            params += (guild_id,)
        with self._transaction("stats", write=False) as conn:
            asked, answered = conn.execute(
                f"SELECT COUNT(*), COALESCE(SUM(q.answered), 0) FROM questions q WHERE {where}",
                params,
            ).fetchone()
            unanswered = conn.execute(
                "SELECT norm, COUNT(*) AS n FROM (SELECT dateline_normalise(q.question) AS norm"
                f" FROM questions q WHERE q.answered = 0 AND {where})"
                " WHERE norm != '' GROUP BY norm ORDER BY n DESC, norm LIMIT ?",
                (*params, top_n),
            ).fetchall()
            articles = conn.execute(
                "SELECT q.article_id, COUNT(*) AS n FROM questions q"
                f" WHERE q.answered = 1 AND q.article_id IS NOT NULL AND {where}"
                " GROUP BY q.article_id ORDER BY n DESC, q.article_id LIMIT ?",
                (*params, top_n),
            ).fetchall()
            vote_where = "f.voted_at >= ? AND f.voted_at < ?"
            vote_params: tuple[Any, ...] = (low, high)
            if guild_id is not None:
                vote_where += " AND q.guild_id = ?"
                vote_params += (guild_id,)
            up, down = conn.execute(
                "SELECT COALESCE(SUM(f.vote = 1), 0), COALESCE(SUM(f.vote = -1), 0)"
                f" FROM feedback f JOIN questions q ON q.id = f.question_id WHERE {vote_where}",
                vote_params,
            ).fetchone()
        return Stats(
            since=since.astimezone(UTC) if since is not None else None,
            until=until.astimezone(UTC) if until is not None else None,
            questions_asked=asked,
            questions_answered=answered,
            answer_rate=answered / asked if asked else None,
            top_unanswered=tuple(UnansweredQuestion(text, n) for text, n in unanswered),
            feedback_up=up,
            feedback_down=down,
            feedback_ratio=up / (up + down) if up + down else None,
            top_articles=tuple(QuotedArticle(article, n) for article, n in articles),
        )

    def audit_log(self, limit: int = 50, *, guild_id: int | None = None) -> list[AuditEntry]:
        """The most recent admin actions, newest first; one guild's only if `guild_id` given."""
        sql = (
            "SELECT id, at, guild_id, user_id, user_name, action, detail, result, message"
            " FROM audit"
        )
        params: tuple[Any, ...] = ()
        if guild_id is not None:
            sql += " WHERE guild_id = ?"
            params = (guild_id,)
        sql += " ORDER BY at DESC, id DESC LIMIT ?"
        with self._session("audit_log") as conn:
            rows = conn.execute(sql, (*params, max(limit, 0))).fetchall()
        return [
            AuditEntry(
                id=row[0],
                at=_from_text(row[1]),
                guild_id=row[2],
                user_id=row[3],
                user_name=row[4],
                action=row[5],
                detail=json.loads(row[6]),
                result=row[7],
                message=row[8],
            )
            for row in rows
        ]

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

import asyncio
import functools
import json
import logging
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeVar, get_args

from bot.errors import DatelineError

logger = logging.getLogger(__name__)

FrontEnd = Literal["discord", "cli"]
AuditResult = Literal["ok", "refused", "error"]

DEFAULT_BUSY_TIMEOUT: Final = 5.0
"""Seconds a call waits for another writer before giving up with "database is locked"."""

MEMORY: Final = ":memory:"
_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so text order is time order
_SECRET_KEY = re.compile(r"token|secret|password|passwd|api[_-]?key|authorization", re.IGNORECASE)

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

T = TypeVar("T")
F = TypeVar("F")


class StorageError(DatelineError):
    """A database call failed (locked, read-only, disk full, closed, ...)."""


class SchemaVersionError(StorageError):
    """The database file was written by a newer Dateline; it is refused, never touched."""


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    """A normalised unanswered question and how often it was asked."""

    text: str
    count: int


@dataclass(frozen=True, slots=True)
class QuotedArticle:
    """An article and how many answers quoted it."""

    article_id: str
    count: int


@dataclass(frozen=True, slots=True)
class Stats:
    """Usage figures for one period; front ends render them, `to_dict` serves JSON."""

    since: datetime | None
    until: datetime | None
    questions_asked: int
    questions_answered: int
    answer_rate: float | None  # answered / asked; None when nothing was asked
    top_unanswered: tuple[UnansweredQuestion, ...]
    feedback_up: int
    feedback_down: int
    feedback_ratio: float | None  # up / (up + down); None when nobody voted
    top_articles: tuple[QuotedArticle, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO-8601 UTC strings)."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "questions_asked": self.questions_asked,
            "questions_answered": self.questions_answered,
            "answer_rate": self.answer_rate,
            "top_unanswered": [{"text": q.text, "count": q.count} for q in self.top_unanswered],
            "feedback_up": self.feedback_up,
            "feedback_down": self.feedback_down,
            "feedback_ratio": self.feedback_ratio,
            "top_articles": [
                {"article_id": a.article_id, "count": a.count} for a in self.top_articles
            ],
        }


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded admin action."""

    id: int
    at: datetime
    guild_id: int | None
    user_id: int | None
    user_name: str | None
    action: str
    detail: Mapping[str, Any]
    result: AuditResult
    message: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "guild_id": self.guild_id,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "action": self.action,
            "detail": dict(self.detail),
            "result": self.result,
            "message": self.message,
        }


# --- helpers ----------------------------------------------------------------------------------


def normalise_question(text: str) -> str:
    """Group spellings of a question: NFKC, casefold, one space, no trailing punctuation."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    end = len(folded)
    while end and (folded[end - 1].isspace() or unicodedata.category(folded[end - 1])[0] == "P"):
        end -= 1
    return folded[:end]


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


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


def _schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(version: int, known: int, where: str) -> None:
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
    current = _schema_version(conn)
    _refuse_newer(current, known, where)
    if current == known:
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = _schema_version(conn)  # another process may have migrated meanwhile
        _refuse_newer(current, known, where)
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


def _create_private(path: Path) -> None:
    """Create a new database file readable only by its owner (it holds user ids)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


# --- the synchronous store --------------------------------------------------------------------


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
            _refuse_newer(_schema_version(conn), SCHEMA_VERSION, where)  # before any write
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            if read_only:
                version = _schema_version(conn)
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
            return _schema_version(conn)

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


# --- the async, tolerant facade ---------------------------------------------------------------


class AsyncStore:
    """Runs every `Store` call on one worker thread so the event loop never blocks on disk.

    Tolerant by default: a `StorageError` is logged (operation and SQLite's reason only: never
    question text or user data) and the call returns None/False, so the bot keeps answering.
    With `strict=True` errors propagate. Each operation's first failure logs a WARNING; repeats
    log DEBUG until that operation succeeds again, which logs INFO (no log flood in an outage).
    """

    def __init__(self, store: Store, *, strict: bool = False) -> None:
        """Wrap an open `Store`; prefer `await AsyncStore.open(...)`."""
        self.store = store
        self.strict = strict
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dateline-db")
        self._failures: dict[str, int] = {}  # operation -> failed calls since its last success

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        strict: bool = False,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        read_only: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> AsyncStore:
        """Open the store off the event loop. Opening is always strict: it raises `StorageError`."""
        opener = functools.partial(
            Store.open, path, busy_timeout=busy_timeout, read_only=read_only, clock=clock
        )
        store = await asyncio.to_thread(opener)
        return cls(store, strict=strict)

    async def close(self) -> None:
        """Close the store after queued calls finish, then stop the worker thread."""
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self.store.close)
        finally:
            self._executor.shutdown(wait=False)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _call(self, op: str, call: Callable[[], T], failed: F) -> T | F:
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(self._executor, call)
        except StorageError as error:
            if self.strict:
                raise
            count = self._failures[op] = self._failures.get(op, 0) + 1
            level = logging.WARNING if count == 1 else logging.DEBUG
            logger.log(level, "storage unavailable, carrying on without it: %s", error)
            return failed
        count = self._failures.pop(op, 0)
        if count:
            logger.info("storage: %s works again after %d failed calls", op, count)
        return result

    async def record_question(
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
    ) -> int | None:
        """`Store.record_question`; None if it could not be stored."""
        call = functools.partial(
            self.store.record_question,
            question=question,
            answered=answered,
            front_end=front_end,
            article_id=article_id,
            score=score,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            message_id=message_id,
            asked_at=asked_at,
        )
        return await self._call("record_question", call, None)

    async def link_message(self, question_id: int, message_id: int) -> bool:
        """`Store.link_message`; False if it could not be stored."""
        call = functools.partial(self.store.link_message, question_id, message_id)
        return await self._call("link_message", call, False)

    async def record_feedback(
        self,
        *,
        user_id: int,
        vote: int,
        question_id: int | None = None,
        message_id: int | None = None,
        voted_at: datetime | None = None,
    ) -> bool:
        """`Store.record_feedback`; False if unknown answer or it could not be stored."""
        call = functools.partial(
            self.store.record_feedback,
            user_id=user_id,
            vote=vote,
            question_id=question_id,
            message_id=message_id,
            voted_at=voted_at,
        )
        return await self._call("record_feedback", call, False)

    async def record_audit(
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
    ) -> int | None:
        """`Store.record_audit`; None if it could not be stored."""
        call = functools.partial(
            self.store.record_audit,
            action=action,
            result=result,
            guild_id=guild_id,
            user_id=user_id,
            user_name=user_name,
            detail=detail,
            message=message,
            at=at,
        )
        return await self._call("record_audit", call, None)

    async def stats(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        top_n: int = 10,
        *,
        guild_id: int | None = None,
    ) -> Stats | None:
        """`Store.stats`; None if the database could not be read."""
        call = functools.partial(self.store.stats, since, until, top_n, guild_id=guild_id)
        return await self._call("stats", call, None)

    async def prune(self, retention_days: int, *, now: datetime | None = None) -> int | None:
        """`Store.prune`; None if it failed."""
        call = functools.partial(self.store.prune, retention_days, now=now)
        return await self._call("prune", call, None)

    async def audit_log(
        self, limit: int = 50, *, guild_id: int | None = None
    ) -> list[AuditEntry] | None:
        """`Store.audit_log`; None if the database could not be read."""
        call = functools.partial(self.store.audit_log, limit, guild_id=guild_id)
        return await self._call("audit_log", call, None)

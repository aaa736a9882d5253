"""Tests for bot.records.store: migrations, records, stats, retention, failure
tolerance, concurrency."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.records import (
    SCHEMA_VERSION,
    AsyncStore,
    SchemaVersionError,
    StorageError,
    Store,
    apply_migrations,
    normalise_question,
)

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ask(store: Store, text: str = "q", *, answered: bool = True, **fields: object) -> int:
    return store.record_question(question=text, answered=answered, front_end="cli", **fields)  # type: ignore[arg-type]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "dateline.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path, clock=lambda: T0) as opened:
        yield opened


@pytest.fixture
def holder(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A second connection that can take the write lock, like another process would."""
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    yield conn
    conn.close()


# --- schema and migrations --------------------------------------------------------------------


def test_open_from_empty_creates_schema_and_pragmas(db_path: Path) -> None:
    with Store.open(db_path, busy_timeout=1.5) as store:
        assert store.migrations_applied == SCHEMA_VERSION
        assert store.schema_version == SCHEMA_VERSION
        conn = store._conn  # white-box: check the per-connection settings
        assert conn is not None
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 1500
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {"questions", "feedback", "audit"} <= tables
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600  # holds user ids: owner only


def test_reopening_an_up_to_date_database_changes_nothing(db_path: Path) -> None:
    with Store.open(db_path) as store:
        question_id = ask(store, "kept?")
    before = digest(db_path)
    with Store.open(db_path) as again:
        assert again.migrations_applied == 0
        assert again.schema_version == SCHEMA_VERSION
        assert again.record_feedback(question_id=question_id, user_id=1, vote=1)
    with Store.open(db_path) as third:
        assert third.migrations_applied == 0
        assert third.stats().questions_asked == 1
    Store.open(db_path).close()
    after_writes = digest(db_path)
    Store.open(db_path).close()
    assert digest(db_path) == after_writes
    assert before != after_writes  # sanity: the digest does see real changes


def test_database_from_a_newer_version_is_refused_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.execute("CREATE TABLE future (x)")
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    before = digest(db_path)
    with pytest.raises(SchemaVersionError, match=r"newer|only knows"):
        Store.open(db_path)
    assert digest(db_path) == before
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not even WAL-ed
    raw.close()


def test_failing_migration_rolls_back_completely(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    steps = (("CREATE TABLE a (x)",), ("CREATE TABLE b (x)", "THIS IS NOT SQL"))
    with pytest.raises(sqlite3.Error):
        apply_migrations(conn, steps)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []
    assert not conn.in_transaction
    conn.close()


def test_migrations_apply_in_order_from_the_current_version(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    first = (("CREATE TABLE a (x)",),)
    both = (*first, ("ALTER TABLE a ADD COLUMN y", "CREATE TABLE b (x)"))
    assert apply_migrations(conn, first) == 1
    assert apply_migrations(conn, both) == 1
    assert apply_migrations(conn, both) == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert [r[1] for r in conn.execute("PRAGMA table_info(a)")] == ["x", "y"]
    with pytest.raises(SchemaVersionError):
        apply_migrations(conn, first)
    conn.close()


def test_in_memory_store_for_other_tests() -> None:
    with Store.open(":memory:") as store:
        assert ask(store) == 1
        assert store.stats().questions_asked == 1


# --- records ----------------------------------------------------------------------------------


def test_record_question_returns_increasing_ids_and_validates(store: Store) -> None:
    first = ask(store, "a", article_id="art-1", score=0.9, guild_id=5, channel_id=6, user_id=7)
    second = ask(store, "b", answered=False)
    assert second > first
    with pytest.raises(ValueError, match="front end"):
        store.record_question(question="x", answered=True, front_end="web")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="naive"):
        ask(store, asked_at=datetime(2024, 1, 1))


def test_feedback_upsert_replaces_earlier_vote(store: Store) -> None:
    question_id = ask(store, message_id=900)
    assert store.record_feedback(question_id=question_id, user_id=1, vote=1, voted_at=day(0))
    assert store.record_feedback(message_id=900, user_id=1, vote=-1, voted_at=day(1))
    assert store.record_feedback(question_id=question_id, user_id=2, vote=1, voted_at=day(1))
    stats = store.stats()
    assert (stats.feedback_up, stats.feedback_down) == (1, 1)
    assert stats.feedback_ratio == 0.5
    # the replaced vote counts at its new time only
    assert store.stats(until=day(0.5)).feedback_down == 0
    assert store.stats(until=day(0.5)).feedback_up == 0


def test_feedback_on_unknown_answer_or_bad_vote(store: Store) -> None:
    question_id = ask(store)
    assert not store.record_feedback(question_id=question_id + 99, user_id=1, vote=1)
    assert not store.record_feedback(message_id=12345, user_id=1, vote=1)
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        store.record_feedback(question_id=question_id, user_id=1, vote=0)
    with pytest.raises(ValueError, match="exactly one"):
        store.record_feedback(user_id=1, vote=1)


def test_link_message_connects_later_feedback(store: Store) -> None:
    question_id = ask(store)
    assert store.link_message(question_id, 4242)
    assert not store.link_message(question_id + 1, 4243)
    assert store.record_feedback(message_id=4242, user_id=3, vote=1)
    assert store.stats().feedback_up == 1


def test_audit_log_newest_first_filtered_and_redacted(store: Store) -> None:
    store.record_audit(
        action="reload", result="ok", guild_id=1, user_id=10, user_name="ann", at=day(0)
    )
    second = store.record_audit(
        action="knowledge add",
        result="refused",
        guild_id=2,
        user_id=11,
        user_name="bob",
        detail={"file": "a.md", "token": "abc", "nested": {"api_key": "k", "n": 3}},
        message="file too large",
        at=day(1),
    )
    store.record_audit(action="reload", result="error", guild_id=1, at=day(2))
    entries = store.audit_log()
    assert [e.action for e in entries] == ["reload", "knowledge add", "reload"]
    assert [e.result for e in entries] == ["error", "refused", "ok"]
    assert store.audit_log(limit=1)[0].at == day(2)
    assert [e.at for e in store.audit_log(guild_id=1)] == [day(2), day(0)]
    refused = next(e for e in entries if e.id == second)
    assert refused.detail == {
        "file": "a.md",
        "token": "[redacted]",
        "nested": {"api_key": "[redacted]", "n": 3},
    }
    assert refused.user_name == "bob" and refused.message == "file too large"
    assert json.loads(json.dumps(refused.to_dict()))["detail"]["file"] == "a.md"
    with pytest.raises(ValueError, match="audit result"):
        store.record_audit(action="reload", result="maybe")  # type: ignore[arg-type]


# --- stats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("What is X?", "what is x"),
        ("  what   is\tx ", "what is x"),
        ("WHAT IS X ?!...", "what is x"),
        ("Wer ist Straße?", "wer ist strasse"),
        ("Ｗｈｏ？", "who"),
        ("e.g. U.S.A.", "e.g. u.s.a"),
        ("???", ""),
    ],
)
def test_normalise_question(raw: str, expected: str) -> None:
    assert normalise_question(raw) == expected


def test_unanswered_questions_are_grouped_by_normalised_text(store: Store) -> None:
    for text in ["What is X?", "what is x", "  WHAT is   x?!", "Who won?", "who won", "Other"]:
        ask(store, text, answered=False)
    ask(store, "What is X?", answered=True, article_id="a")  # answered: not counted
    ask(store, "?!", answered=False)  # nothing left after normalising: not listed
    stats = store.stats()
    assert [(q.text, q.count) for q in stats.top_unanswered] == [
        ("what is x", 3),
        ("who won", 2),
        ("other", 1),
    ]
    assert [(q.text, q.count) for q in store.stats(top_n=1).top_unanswered] == [("what is x", 3)]


def test_stats_over_periods(store: Store) -> None:
    rows = [  # (day, answered, article, guild)
        (0, True, "rome", 1),
        (1, True, "rome", 1),
        (2, False, None, 1),
        (3, True, "oslo", 2),
        (10, True, "oslo", 2),
        (11, True, "oslo", 2),
        (12, False, None, 1),
    ]
    ids = [
        ask(store, f"q{n}", answered=answered, article_id=article, guild_id=guild, asked_at=day(n))
        for n, answered, article, guild in rows
    ]
    store.record_feedback(question_id=ids[0], user_id=1, vote=1, voted_at=day(1))
    store.record_feedback(question_id=ids[3], user_id=1, vote=-1, voted_at=day(4))
    store.record_feedback(question_id=ids[4], user_id=2, vote=1, voted_at=day(10))

    everything = store.stats()
    assert (everything.questions_asked, everything.questions_answered) == (7, 5)
    assert everything.answer_rate == pytest.approx(5 / 7)
    assert [(a.article_id, a.count) for a in everything.top_articles] == [("oslo", 3), ("rome", 2)]
    assert (everything.feedback_up, everything.feedback_down) == (2, 1)

    first_week = store.stats(since=day(0), until=day(7))  # since inclusive, until exclusive
    assert (first_week.questions_asked, first_week.questions_answered) == (4, 3)
    assert [(a.article_id, a.count) for a in first_week.top_articles] == [("rome", 2), ("oslo", 1)]
    assert (first_week.feedback_up, first_week.feedback_down) == (1, 1)
    assert first_week.since == day(0) and first_week.until == day(7)

    later = store.stats(since=day(3))
    assert later.questions_asked == 4
    assert [q.text for q in later.top_unanswered] == ["q12"]
    assert store.stats(until=day(3)).questions_asked == 3

    guild_two = store.stats(guild_id=2)
    assert guild_two.questions_asked == 3 and guild_two.answer_rate == 1.0
    assert (guild_two.feedback_up, guild_two.feedback_down) == (1, 1)

    empty = store.stats(since=day(100))
    assert empty.questions_asked == 0 and empty.answer_rate is None
    assert empty.feedback_ratio is None and empty.top_articles == ()

    as_json = json.loads(json.dumps(first_week.to_dict()))
    assert as_json["since"] == "2024-03-01T12:00:00+00:00"
    assert as_json["top_articles"][0] == {"article_id": "rome", "count": 2}
    assert as_json["answer_rate"] == 0.75


# --- retention --------------------------------------------------------------------------------


def test_prune_deletes_only_rows_older_than_retention(store: Store) -> None:
    now = day(100)
    old = ask(store, "old", asked_at=day(0))
    recent = ask(store, "recent", asked_at=day(80))
    store.record_feedback(question_id=old, user_id=1, vote=1, voted_at=day(75))  # goes with old
    store.record_feedback(question_id=recent, user_id=1, vote=1, voted_at=day(81))
    store.record_audit(action="reload", result="ok", at=day(10))
    store.record_audit(action="reload", result="ok", at=day(95))

    assert store.prune(30, now=now) == 3  # old question, its vote, old audit row
    stats = store.stats()
    assert stats.questions_asked == 1 and stats.feedback_up == 1
    assert [e.at for e in store.audit_log()] == [day(95)]
    assert store.prune(30, now=now) == 0
    assert store.prune(1, now=now) == 3
    with pytest.raises(ValueError, match="at least 1"):
        store.prune(0)


# --- failure tolerance ------------------------------------------------------------------------


async def test_locked_database_is_reported_not_raised(
    db_path: Path, holder: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.records")
    async with await AsyncStore.open(db_path, busy_timeout=0.05) as tolerant:
        holder.execute("BEGIN EXCLUSIVE")
        secret_question = "why is my neighbour's wifi called FBI van"
        assert (
            await tolerant.record_question(
                question=secret_question, answered=False, front_end="discord"
            )
            is None
        )
        assert await tolerant.record_audit(action="reload", result="ok") is None
        assert await tolerant.prune(30) is None
        assert (
            await tolerant.record_question(
                question=secret_question, answered=False, front_end="discord"
            )
            is None
        )
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 3  # one per operation; repeats are DEBUG while the outage lasts
        assert "record_question failed: database is locked" in warnings[0]
        assert "record_audit" in warnings[1] and "prune" in warnings[2]
        assert secret_question not in caplog.text
        with pytest.raises(StorageError, match="locked"):
            ask(tolerant.store)

        assert (await tolerant.stats()) is not None  # WAL: reads go on under a writer
        holder.execute("ROLLBACK")
        assert isinstance(
            await tolerant.record_question(question="after", answered=True, front_end="discord"),
            int,
        )
        assert "record_question works again after 2 failed calls" in caplog.text
        assert (await tolerant.stats()).questions_asked == 1  # type: ignore[union-attr]


async def test_strict_async_store_raises(db_path: Path, holder: sqlite3.Connection) -> None:
    async with await AsyncStore.open(db_path, busy_timeout=0.05, strict=True) as strict:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StorageError, match="locked"):
            await strict.record_feedback(question_id=1, user_id=1, vote=1)
        holder.execute("ROLLBACK")


async def test_read_only_connection_is_reported_not_raised(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with Store.open(db_path) as writer:
        ask(writer, "before")
    async with await AsyncStore.open(db_path, read_only=True) as tolerant:
        assert await tolerant.record_question(question="x", answered=True, front_end="cli") is None
        assert await tolerant.record_feedback(question_id=1, user_id=1, vote=1) is False
        assert "readonly" in caplog.text
        stats = await tolerant.stats()
        assert stats is not None and stats.questions_asked == 1


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores chmod 0444")
async def test_read_only_file_is_reported_not_raised(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Store.open(db_path).close()
    db_path.chmod(0o444)
    try:
        async with await AsyncStore.open(db_path) as tolerant:
            assert await tolerant.record_audit(action="reload", result="ok") is None
            assert "readonly" in caplog.text
    finally:
        db_path.chmod(0o600)


async def test_full_disk_is_reported_not_raised(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    conn = store._conn  # white-box: cap the file at its current size to simulate a full disk
    assert conn is not None
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    tolerant = AsyncStore(store)
    try:
        assert (
            await tolerant.record_question(question="x" * 100_000, answered=False, front_end="cli")
            is None
        )
        assert "full" in caplog.text
        assert (await tolerant.stats()).questions_asked == 0  # type: ignore[union-attr]
    finally:
        tolerant._executor.shutdown(wait=True)


async def test_closed_store_is_reported_not_raised(db_path: Path) -> None:
    tolerant = await AsyncStore.open(db_path)
    tolerant.store.close()
    assert await tolerant.audit_log() is None
    await tolerant.close()
    with pytest.raises(StorageError, match="closed"):
        tolerant.store.stats()


# --- concurrency ------------------------------------------------------------------------------


def test_threads_writing_concurrently_lose_nothing(store: Store) -> None:
    threads_n, per_thread = 8, 40
    ids: list[int] = []
    errors: list[BaseException] = []
    guard = threading.Lock()
    start = threading.Barrier(threads_n)

    def work(worker: int) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                question_id = ask(store, f"t{worker}-{n}", answered=n % 2 == 0)
                store.record_feedback(question_id=question_id, user_id=worker, vote=1)
                store.record_feedback(question_id=question_id, user_id=worker, vote=-1)
                with guard:
                    ids.append(question_id)
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=work, args=(w,)) for w in range(threads_n)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    total = threads_n * per_thread
    assert len(set(ids)) == total
    stats = store.stats()
    assert stats.questions_asked == total
    assert stats.questions_answered == total // 2
    assert (stats.feedback_up, stats.feedback_down) == (0, total)


async def test_async_store_does_not_block_the_event_loop(
    db_path: Path, holder: sqlite3.Connection
) -> None:
    async with await AsyncStore.open(db_path, busy_timeout=2.0) as tolerant:
        holder.execute("BEGIN EXCLUSIVE")
        loop = asyncio.get_running_loop()
        loop.call_later(0.3, holder.execute, "COMMIT")
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        question_id = await tolerant.record_question(
            question="slow", answered=True, front_end="discord"
        )
        waited = time.perf_counter() - started
        stop.set()
        await ticking
        assert isinstance(question_id, int)  # the write waited for the lock, then succeeded
        assert waited >= 0.25
        assert ticks >= 10  # the loop kept running while the worker thread waited


async def test_async_calls_run_in_order_on_one_worker(db_path: Path) -> None:
    async with await AsyncStore.open(db_path) as tolerant:
        question_ids = await asyncio.gather(
            *(
                tolerant.record_question(question=f"q{n}", answered=True, front_end="cli")
                for n in range(20)
            )
        )
        ids = [q for q in question_ids if q is not None]
        assert ids == sorted(ids) and len(ids) == 20
        votes = await asyncio.gather(
            *(tolerant.record_feedback(question_id=q, user_id=1, vote=1) for q in ids)
        )
        assert all(votes)
        assert await tolerant.link_message(ids[0], 77) is True
        stats = await tolerant.stats(top_n=3)
        assert stats is not None and stats.feedback_up == 20
        assert await tolerant.prune(30, now=datetime.now(UTC) + timedelta(days=31)) == 40
        assert await tolerant.audit_log() == []

"""`dateline stats`: a period's figures from the database; read-only, JSON, prune, hostile text."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.frontends.cli import main as cli
from bot.records import Store

NOW = datetime.now(UTC)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """Two recent days of use and one old question, closed (so checkpointed) before reading."""
    path = tmp_path / "dateline.sqlite3"
    with Store.open(path) as store:
        recent = NOW - timedelta(days=1)
        answered = [
            store.record_question(
                question="Who welcomed the planes?",
                answered=True,
                front_end="discord",
                article_id="tass-aid",
                score=9.5,
                user_id=1,
                asked_at=recent,
            )
            for _ in range(3)
        ]
        store.record_question(
            question="Where did the trucks go?",
            answered=True,
            front_end="discord",
            article_id="reuters-convoy",
            score=7.0,
            user_id=2,
            asked_at=recent,
        )
        for spelling in (
            "What is the GDP of Mars?",
            "what is the gdp of mars",
            "WHAT IS THE GDP OF MARS??",
        ):
            store.record_question(
                question=spelling,
                answered=False,
                front_end="discord",
                user_id=3,
                asked_at=recent,
            )
        store.record_question(
            question="Who won the 1990 election?",
            answered=False,
            front_end="cli",
            asked_at=NOW - timedelta(days=45),
        )
        store.record_feedback(user_id=10, vote=1, question_id=answered[0], voted_at=recent)
        store.record_feedback(user_id=11, vote=1, question_id=answered[1], voted_at=recent)
        store.record_feedback(user_id=12, vote=-1, question_id=answered[2], voted_at=recent)
    return path


def test_json_figures_for_the_default_30_days(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    before = _digest(database)
    code, out, _ = _run(capsys, "stats", "--database", str(database), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["database"] == str(database)
    assert data["questions_asked"] == 7  # the 45-day-old question is outside the period
    assert data["questions_answered"] == 4
    assert data["top_unanswered"] == [{"text": "what is the gdp of mars", "count": 3}]
    assert data["feedback_up"] == 2 and data["feedback_down"] == 1
    assert data["feedback_ratio"] == pytest.approx(2 / 3)
    assert data["top_articles"] == [
        {"article_id": "tass-aid", "count": 3},
        {"article_id": "reuters-convoy", "count": 1},
    ]
    assert "pruned" not in data
    assert _digest(database) == before  # read-only


@pytest.mark.parametrize(("since", "asked"), [("all", 8), ("7d", 7), ("12h", 0)])
def test_since_chooses_the_period(
    capsys: pytest.CaptureFixture[str], database: Path, since: str, asked: int
) -> None:
    code, out, _ = _run(capsys, "stats", "--database", str(database), "--json", "--since", since)
    assert code == 0
    assert json.loads(out)["questions_asked"] == asked


def test_one_server_only(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with Store.open(path) as store:
        for guild in (1, 1, 2):
            store.record_question(question="q", answered=False, front_end="discord", guild_id=guild)
    code, out, _ = _run(capsys, "stats", "--database", str(path), "--json", "--guild", "1")
    assert code == 0
    data = json.loads(out)
    assert data["guild_id"] == 1 and data["questions_asked"] == 2
    code, out, _ = _run(capsys, "stats", "--database", str(path), "--guild", "2")
    assert "server 2" in out


def test_iso_date_period(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    day = (NOW - timedelta(days=60)).date().isoformat()
    code, out, _ = _run(capsys, "stats", "--database", str(database), "--json", "--since", day)
    assert code == 0
    data = json.loads(out)
    assert data["questions_asked"] == 8
    assert data["since"].startswith(day)


def test_tables(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    code, out, _ = _run(capsys, "stats", "--database", str(database), "--top", "1")
    assert code == 0
    assert "Dateline usage, since" in out
    assert "Questions asked" in out and "Answered" in out and "4 (57%)" in out
    assert "what is the gdp of mars" in out
    assert "tass-aid" in out and "reuters-convoy" not in out  # --top 1
    assert "67% helpful" in out


def test_empty_period_says_so(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    code, out, _ = _run(capsys, "stats", "--database", str(database), "--since", "1h")
    assert code == 0
    assert "no unanswered questions" in out and "no answers yet" in out


def test_hostile_question_text_is_printed_inert(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "db.sqlite3"
    with Store.open(path) as store:
        store.record_question(
            question="\x1b]0;pwned\x07\x1b[2J[bold red]boom[/] \u202eevil\u200b @everyone",
            answered=False,
            front_end="discord",
        )
    code, out, _ = _run(capsys, "stats", "--database", str(path))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\u200b" not in out
    assert "[bold red]boom[/]" in out  # markup shown literally, not interpreted


def test_missing_database_is_a_friendly_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "none.sqlite3"
    code, out, err = _run(capsys, "stats", "--database", str(missing))
    assert code == 1
    assert out == ""
    assert "No database at" in err and "DATELINE_DATABASE_PATH" in err
    assert not missing.exists()  # never created by a read


def test_database_path_comes_from_the_settings(
    capsys: pytest.CaptureFixture[str], database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATELINE_DATABASE_PATH", str(database))
    code, out, _ = _run(capsys, "stats", "--json")
    assert code == 0
    assert json.loads(out)["questions_asked"] == 7


def test_prune_applies_the_retention_setting(
    capsys: pytest.CaptureFixture[str], database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATELINE_RETENTION_DAYS", "30")
    code, out, err = _run(
        capsys, "stats", "--database", str(database), "--prune", "--json", "--since", "all"
    )
    assert code == 0
    assert "pruned 1 rows older than 30 days" in err
    data = json.loads(out)
    assert data["pruned"] == 1 and data["questions_asked"] == 7
    code, out, err = _run(capsys, "stats", "--database", str(database), "--prune", "--json")
    assert json.loads(out)["pruned"] == 0


def test_bad_period_is_a_usage_error(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["stats", "--database", str(database), "--since", "last tuesday"])
    assert exit_info.value.code == 2
    assert "unknown period" in capsys.readouterr().err


def test_database_from_a_newer_dateline_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    code, _, err = _run(capsys, "stats", "--database", str(path))
    assert code == 1
    assert "schema version 99" in err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["stats", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--since" in out and "--prune" in out and "--json" in out

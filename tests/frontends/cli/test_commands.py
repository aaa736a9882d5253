"""The terminal front end: check, ask (single and batch), chat, eval, settings errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.frontends.cli import commands as cli_commands
from bot.frontends.cli import main as cli


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("check", "ask", "chat", "eval", "run"):
        with pytest.raises(SystemExit) as exit_info:
            cli.main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: dateline" in capsys.readouterr().out


def test_check_json_on_bundled_knowledge(
    capsys: pytest.CaptureFixture[str], knowledge_dir: Path
) -> None:
    code, out, _ = _run(capsys, "check", str(knowledge_dir), "--json")
    assert code == 0
    data = json.loads(out)
    (article,) = data["articles"]
    assert article["dateline"]["display"] == "MOSCOW, April 2 /TASS/"
    assert article["passages"] >= 3
    assert data["problems"] == []


def test_check_table_and_exit_2_on_broken_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "ok.txt").write_text("Fine headline\n\nA fine body.\n", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text("{broken\n", encoding="utf-8")
    code, out, err = _run(capsys, "check", str(tmp_path))
    assert code == 2
    assert "Fine headline" in out and "broken JSON" in out
    assert f"{tmp_path.as_posix()}/bad.jsonl" in err  # named on stderr: file and reason


def test_ask_json(capsys: pytest.CaptureFixture[str], knowledge_dir: Path) -> None:
    code, out, _ = _run(
        capsys,
        "ask",
        "Who welcomed the first Russian planes at the airfield?",
        "--json",
        "--knowledge",
        str(knowledge_dir),
    )
    assert code == 0
    answer = json.loads(out)
    assert answer["answered"] is True
    assert "Luigi Di Maio" in answer["quote"]
    assert answer["dateline"]["display"] == "MOSCOW, April 2 /TASS/"
    assert set(answer["article"]) >= {"id", "title", "source", "url", "published"}
    assert answer["passages"][0]["text"]


def test_ask_not_found_still_lists_closest_passage(
    capsys: pytest.CaptureFixture[str], knowledge_dir: Path
) -> None:
    code, out, _ = _run(
        capsys,
        "ask",
        "Which football club did the Italian minister support?",
        "--json",
        "-K",
        str(knowledge_dir),
    )
    answer = json.loads(out)
    assert code == 0 and answer["answered"] is False
    assert answer["quote"] is None and answer["article"] is None
    assert answer["passages"], "the closest passage is present even when not answered"


def test_ask_text_output(capsys: pytest.CaptureFixture[str], knowledge_dir: Path) -> None:
    code, out, _ = _run(capsys, "ask", "How many jets did Russia send?", "-K", str(knowledge_dir))
    assert code == 0 and "15" in out and "MOSCOW, April 2 /TASS/" in out


def test_batch_mode_keeps_input_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, knowledge_dir: Path
) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "b", "question": "How many jets did Russia send?"}\n'
        "not json\n"
        '{"id": "a", "question": "What is the capital of Australia?"}\n'
        '{"id": "c", "question": ""}\n',
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "ask", "--questions", str(questions), "-K", str(knowledge_dir))
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == ["b", "a", "c"]
    assert lines[0]["answered"] and not lines[1]["answered"]
    assert lines[2]["status"] == "invalid_question"
    assert code == 2 and "line 2" in err


def test_a_missing_knowledge_path_is_an_error_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nonexistent"
    code, out, err = _run(capsys, "ask", "Who welcomed the planes?", "-K", str(missing))
    assert code == 2 and out == ""
    assert missing.as_posix() in err and "does not exist" in err
    assert "None of the articles" not in err


def test_a_path_that_loads_no_article_is_an_error_with_the_reasons(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, "ask", "Who?", "-K", str(tmp_path))
    assert code == 2 and f"no article loaded from {tmp_path.as_posix()}" in err
    (tmp_path / "garbage.txt").write_bytes(b"\x00\x01\x02 binary")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    code, _, err = _run(capsys, "ask", "Who?", "-K", str(tmp_path))
    assert code == 2
    assert "garbage.txt: binary file" in err and "empty.txt" in err  # named, not counted


@pytest.mark.parametrize("question", ["   ", "word " * 200])
def test_an_empty_or_over_long_question_exits_2(
    capsys: pytest.CaptureFixture[str], knowledge_dir: Path, question: str
) -> None:
    code, out, _ = _run(capsys, "ask", question, "-K", str(knowledge_dir))
    assert code == 2 and "Question not accepted" in out


def test_exit_codes_are_in_every_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["check"], ["ask"], ["chat"], ["eval"], ["index", "build"], ["bench"]):
        with pytest.raises(SystemExit):
            cli.main([*command, "--help"])
        assert "1 a runtime failure, 2 a usage" in " ".join(capsys.readouterr().out.split())


def test_index_build_refuses_to_publish_a_shrunk_knowledge(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_text(f"{name} headline\n\nBody {name}.\n", "utf-8")
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DATELINE_RERANKER", "off")
    monkeypatch.setenv("DATELINE_KNOWLEDGE_PATHS", str(folder))
    assert _run(capsys, "index", "build")[0] == 0
    (folder / "a.txt").unlink()
    (folder / "b.txt").unlink()
    code, _, err = _run(capsys, "index", "build")
    assert code == 2 and "would remove 2 of the 3 articles" in err and "--allow-shrink" in err
    assert _run(capsys, "index", "build", "--allow-shrink")[0] == 0


def test_invalid_setting_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATELINE_BM25_B", "7")
    code, _, err = _run(capsys, "check")
    assert code == 2
    assert "DATELINE_BM25_B" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_chat_loop(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path
) -> None:
    lines = iter([":help", "How many jets did Russia send?", ":reload", ":nope", ":quit"])
    monkeypatch.setattr(cli_commands, "_read_line", lambda prompt: next(lines))
    code, out, _ = _run(capsys, "chat", "-K", str(knowledge_dir))
    assert code == 0
    assert "15" in out and ":reload" in out and "unknown command" in out


def test_eval_runs_on_a_small_sample(capsys: pytest.CaptureFixture[str], shared_data: Path) -> None:
    code, out, _ = _run(capsys, "eval", str(shared_data / "realtimeqa"), "--limit", "40", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["questions"] == 40
    metrics = result["metrics"]
    assert 0.0 <= metrics["answer_in_quote"] <= 1.0
    assert "abstention_on_withheld" in metrics["unanswerable"]
    assert len(result["sweep"]) > 10

"""Hostile input to the core: no exception escapes, output stays within limits, time is bounded.

Covers the article loaders (random and crafted bytes of every supported type), the dateline
finder and parser, the analyzer and the answer path (quote choice), plus the atheris fuzz
harness's target run without atheris. Every case here is hand-written or generated.
"""

from __future__ import annotations

import importlib.util
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answers import AnswerStatus, answer_question
from bot.knowledge import (
    FileLoad,
    KnowledgeBase,
    assemble,
    find_dateline,
    load_bytes,
    merge_loads,
    parse_dateline,
    split_passages,
)
from bot.settings import Settings, load_settings
from bot.text import Analyzer

REPO = Path(__file__).resolve().parents[1]
ROOT = Path("/nonexistent-dateline-root/knowledge")  # ids come from names; nothing is read
SUFFIXES = (".txt", ".md", ".json", ".jsonl")
MB = 1_000_000
LOAD_BUDGET = 5.0  # seconds for one multi-megabyte file on a busy 2-core machine
CALL_BUDGET = 1.0  # seconds for one question, dateline or analyzer call
QUOTE_LIMITS = (80, 400, 1500)  # the setting's minimum, default and maximum
PASSAGE_CHECK_CHARS = 200_000

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _timed(call: Callable[[], Any], budget: float) -> Any:
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    assert elapsed < budget, f"took {elapsed:.2f} s (budget {budget} s)"
    return result


def _check_load(load: FileLoad) -> None:
    """The loader's contract: problems are values; articles have body text inside bounds."""
    assert load.articles or load.problems
    for problem in load.problems:
        assert isinstance(problem.reason, str) and problem.reason
        assert "\n" not in problem.reason
    for article in load.articles:
        assert article.paragraphs
        assert isinstance(article.title, str) and "\n" not in article.title
        for paragraph in article.paragraphs:
            assert 0 <= paragraph.start < paragraph.end <= len(article.text)
        if article.dateline is not None:
            assert isinstance(article.dateline.display, str)
        if len(article.text) > PASSAGE_CHECK_CHARS:
            continue  # passages of multi-megabyte texts: see test_passages_of_a_long_article
        for passage in split_passages(article, 150)[:5]:
            assert 0 <= passage.start < passage.end <= len(article.text)
            for start, end in passage.sentence_spans():
                assert passage.start <= start < end <= passage.end


def _load(data: bytes, suffix: str, budget: float = LOAD_BUDGET) -> FileLoad:
    load: FileLoad = _timed(lambda: load_bytes(data, ROOT / f"hostile{suffix}", ROOT), budget)
    _check_load(load)
    return load


# --------------------------------------------------------------------------- loaders


@SETTINGS
@given(st.binary(max_size=4096), st.sampled_from(SUFFIXES))
def test_random_bytes_never_raise(data: bytes, suffix: str) -> None:
    _load(data, suffix, CALL_BUDGET)


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=80)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "title", "text", "dateline", "published", "url", "x"]),
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@SETTINGS
@given(JSON_VALUES, st.sampled_from([".json", ".jsonl"]))
def test_arbitrary_json_values_never_raise(value: Any, suffix: str) -> None:
    text = json.dumps(value) if suffix == ".json" else "\n".join(json.dumps(v) for v in [value] * 2)
    _load(text.encode(), suffix, CALL_BUDGET)


@SETTINGS
@given(st.text(max_size=300), st.text(max_size=300))
def test_arbitrary_front_matter_never_raises(front: str, body: str) -> None:
    _load(f"---\n{front}\n---\n{body}\n".encode(errors="surrogatepass"), ".md", CALL_BUDGET)


def _nested_yaml_aliases(levels: int) -> bytes:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    lines.append(f"title: *a{levels - 1}")
    return ("---\n" + "\n".join(lines) + "\n---\nThe body of the story.\n").encode()


HOSTILE_FILES: dict[str, tuple[str, bytes]] = {
    # invalid UTF-8
    "invalid-utf8": (".txt", b"Headline\n\nBody \xff\xfe text \xc0\xaf here.\n"),
    "overlong-and-surrogates": (".md", b"# T\n\n\xed\xa0\x80 \xf8\x88\x80\x80\x80 body.\n"),
    "truncated-sequence": (".json", b'{"text": "caf\xc3"}'),
    "cp1252-undefined": (".txt", b"Head\n\nBody \x81\x8d\x8f\x90\x9d \xe9t\xe9.\n"),
    "invalid-utf8-jsonl": (".jsonl", b'{"text": "a \xff b."}\n\xfe\xff\n'),
    # enormous lines, no newline at all
    "5mb-one-letter": (".txt", b"a" * (5 * MB)),
    "5mb-words-no-newline": (".txt", b"word " * MB),
    "5mb-heading": (".md", b"# " + b"x" * (5 * MB)),
    "5mb-json-string": (".json", b'{"text": "' + b"news. " * (MB * 5 // 6) + b'"}'),
    "5mb-jsonl-line": (".jsonl", b'{"text": "' + b"b" * (5 * MB) + b'"}'),
    "5mb-dots": (".txt", b"." * (5 * MB)),
    "5mb-abbreviations": (".txt", b"Dr. " * (MB + MB // 4)),
    "5mb-whitespace": (".txt", b" \t" * (5 * MB // 2) + b"x"),
    "million-blank-lines": (".txt", b"\n" * MB + b"x"),
    # deep nesting
    "nested-json-arrays": (".json", b"[" * 100_000),
    "nested-json-closed": (".json", b"[" * 50_000 + b"]" * 50_000),
    "nested-json-objects": (".json", b'{"text": ' * 50_000),
    "nested-jsonl": (".jsonl", b"[" * 100_000 + b'\n{"text": "fine."}\n'),
    "nested-front-matter": (".md", b"---\ntitle: " + b"[" * 2_000 + b"\n---\nBody text.\n"),
    "yaml-alias-bomb": (".md", _nested_yaml_aliases(9)),
    "yaml-python-tag": (".md", b"---\ntitle: !!python/object/apply:os.system [ls]\n---\nBody.\n"),
    "huge-integer-json": (".json", b'{"id": ' + b"9" * 5000 + b', "text": "x y."}'),
    "huge-integer-jsonl": (".jsonl", b'{"id": ' + b"9" * 5000 + b', "text": "x y."}\n'),
    "huge-integer-yaml": (".md", b"---\nid: " + b"9" * 5000 + b"\n---\nBody.\n"),
    "json-nan-infinity": (".json", b'[{"id": NaN, "text": "a."}, {"id": 1e999, "text": "b."}]'),
    # binary
    "png": (".txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8),
    "utf16-with-bom": (".txt", "Headline\n\nBody text.\n".encode("utf-16")),
    "nul-after-sniff-window": (".txt", b"Headline\n\n" + b"Body text. " * 1000 + b"\x00" * 10),
    "random-binary": (".json", random.Random(6).randbytes(64 * 1024)),
    # odd but text
    "bom-only": (".txt", b"\xef\xbb\xbf"),
    "carriage-returns-only": (".txt", b"Head\r\rDATELINE (AP) - body.\rmore.\r"),
    "control-characters": (".txt", b"Head\x0b\x0c\n\n\x1b[31mBODY\x1b[0m \x07 text.\n"),
    "unicode-separators": (".md", "# T\u2028x\n\nBody\u2029text\u0085more.\n".encode()),
    "bidi-and-zero-width": (".txt", "Head\u202e\n\nBo\u200bdy \u2066text\u2069.\n".encode()),
    "front-matter-not-mapping": (".md", b"---\n- a\n- b\n---\nBody text.\n"),
    "front-matter-unclosed": (".md", b"---\ntitle: x\n" + b"line\n" * 10_000),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_files_load_or_report_in_bounded_time(name: str) -> None:
    suffix, data = HOSTILE_FILES[name]
    load = _load(data, suffix)
    if name.startswith(("nested-json-", "png", "utf16", "random-binary")):
        assert not load.articles and any(problem.fatal for problem in load.problems)
    if name == "nested-jsonl":  # the broken line is reported, the good one still loads
        assert len(load.articles) == 1 and load.problems[0].line == 1


def test_alias_bomb_is_ignored_quickly_and_the_body_still_loads() -> None:
    load = _load(_nested_yaml_aliases(12), ".md", CALL_BUDGET)
    (article,) = load.articles
    assert "The body of the story." in article.text
    assert any("aliases are not allowed" in problem.reason for problem in load.problems)


def test_huge_integer_is_a_problem_not_a_crash() -> None:
    suffix, data = HOSTILE_FILES["huge-integer-json"]
    load = _load(data, suffix)
    assert any("broken JSON" in problem.reason for problem in load.problems)


@pytest.mark.parametrize(
    "data",
    [b"Dr. " * 60_000, b"news. " * 160_000, b"word " * 200_000, b"x" * MB],
    ids=["abbreviations-240kb", "lowercase-sentences-1mb", "words-1mb", "one-word-1mb"],
)
def test_passages_of_a_long_article(data: bytes) -> None:
    """Passage and sentence splitting is linear; these are its slowest shapes (measured)."""
    (article,) = _load(data, ".txt").articles
    passages = _timed(lambda: split_passages(article, 150), LOAD_BUDGET)
    assert passages and passages[-1].end <= len(article.text)


# --------------------------------------------------------------------------- datelines, analyzer


@SETTINGS
@given(st.text(max_size=400))
def test_dateline_finder_and_parser_never_fail(text: str) -> None:
    found = _timed(lambda: find_dateline(text), CALL_BUDGET)
    if found is not None:
        assert 0 <= found.start <= found.end <= found.body_start <= len(text)
    parsed = _timed(lambda: parse_dateline(text), CALL_BUDGET)
    assert parsed.as_written == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "MOSCOW, " * 100_000,
        "A" * MB,
        "(" * 100_000,
        "/" * 100_000 + "TASS/",
        "WASHINGTON, Jan. " + "5 " * 100_000,
        "МОСКВА, 2 апреля. /ТАСС/" * 10_000,
        " " * MB + "LONDON (Reuters) - x",
        "\u202eLONDON\u202c (Reuters) - body",
    ],
    ids=lambda text: repr(text[:20]),
)
def test_dateline_parser_on_long_or_odd_input(text: str) -> None:
    found = _timed(lambda: find_dateline(text), CALL_BUDGET)
    if found is not None:
        assert found.body_start <= len(text)
    _timed(lambda: parse_dateline(text), CALL_BUDGET)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer("english")


@SETTINGS
@given(st.text(max_size=2000))
def test_analyzer_offsets_point_into_the_text(text: str) -> None:
    tokens = _timed(lambda: Analyzer("english").tokens(text), CALL_BUDGET)
    for token in tokens:
        assert token.term and 0 <= token.start < token.end <= len(text)


def test_analyzer_on_a_megabyte_of_mixed_scripts(analyzer: Analyzer) -> None:
    rng = random.Random(3)
    pieces = ["news", "Москва", "東京", "e\u0301", "\u200b", "don't", "’s", "123", "@everyone"]
    text = " ".join(rng.choice(pieces) for _ in range(150_000))
    tokens = _timed(lambda: analyzer.tokens(text), LOAD_BUDGET)
    assert tokens and all(0 <= t.start < t.end <= len(text) for t in tokens)


# --------------------------------------------------------------------------- answers

ARTICLES = {
    "bridge.txt": "Harbour Bridge Reopens After Repairs\n\nSYDNEY (Reuters) - The harbour bridge "
    "reopened on Monday after two years of repairs, the transport minister said.\n\nAbout "
    "160,000 vehicles cross the bridge every day, and traffic was light on the first morning.\n",
    "aid.md": "---\ntitle: Aid Flights Land\ndateline: MOSCOW, April 2 /TASS/\n---\nThe first "
    "planes landed at the airfield on Sunday, carrying doctors and ventilators.\n\nThe foreign "
    "minister welcomed the crews at the airfield and thanked the military specialists.\n",
    "port.jsonl": '{"id": "p1", "title": "Port Strike Ends", "text": "ROTTERDAM (Reuters) - Dock '
    'workers returned on Tuesday after a week-long strike over pay, the union said."}\n',
    # A long paragraph without sentence breaks: quote choice must still respect the limit.
    "wall.txt": "Wall Of Text\n\n"
    + " ".join(f"bridge{n % 40} harbour traffic" for n in range(2000)),
}


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    root = Path("/nonexistent-dateline-root/answers")
    loads = [load_bytes(text.encode(), root / name, root) for name, text in ARTICLES.items()]
    report = merge_loads(loads)
    assert not any(problem.fatal for problem in report.problems)
    return assemble(report, load_settings(knowledge_paths=[root]))


HOSTILE_FRAGMENTS = [
    "@everyone",
    "@here",
    "<@123>",
    "<@!123>",
    "<@&456>",
    "<#789>",
    "<:emoji:1>",
    "**bridge**",
    "__under__",
    "`code`",
    "```py\nprint(1)\n```",
    "||spoiler||",
    "> quoted",
    "[link](https://example.invalid)",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u202e",
    "\u2066",
    "\u2069",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "e\u0301" * 50,
    "🏳️‍🌈",
    "𝕓𝕣𝕚𝕕𝕘𝕖",
    "Ｂｒｉｄｇｅ",
    "who",
    "welcomed",
    "airfield",
    "bridge",
    "harbour",
    "strike",
    "?",
]
QUESTIONS = st.lists(
    st.sampled_from(HOSTILE_FRAGMENTS) | st.text(max_size=30), min_size=0, max_size=25
).map(" ".join)


def _ask(knowledge: KnowledgeBase, question: str, quote_max: int, max_chars: int) -> None:
    answer = _timed(
        lambda: answer_question(
            knowledge, question, quote_max_chars=quote_max, max_question_chars=max_chars
        ),
        CALL_BUDGET,
    )
    assert isinstance(answer.status, AnswerStatus) and isinstance(answer.message, str)
    if len(question.strip()) > max_chars:
        assert answer.status is AnswerStatus.INVALID_QUESTION
    if answer.status is AnswerStatus.INVALID_QUESTION:
        assert answer.best is None and len(answer.question) <= max_chars
    for finding in answer.findings:
        quote = finding.quote
        assert 0 < len(quote.text) <= quote_max
        for start, end in quote.highlights:
            assert 0 <= start < end <= len(quote.text)
        assert finding.article.id in knowledge.articles_by_id
    assert 0.0 <= answer.confidence <= 1.0


@SETTINGS
@given(QUESTIONS, st.sampled_from(QUOTE_LIMITS))
def test_random_hostile_questions(knowledge: KnowledgeBase, question: str, quote_max: int) -> None:
    _ask(knowledge, question, quote_max, 500)
    _ask(knowledge, question, quote_max, 10_000)


LONG_QUESTIONS = {
    "10k-words-from-the-articles": ("bridge harbour airfield welcomed strike " * 250)[:10_000],
    "10k-everyone": ("@everyone " * 1000)[:10_000],
    "10k-zero-width": "\u200b" * 10_000,
    "10k-bidi": ("\u202e bridge \u202c" * 1000)[:10_000],
    "10k-one-word": "bridge" * 1666,
    "10k-mentions": ("<@123> " * 1500)[:10_000],
    "10k-markdown": ("**bridge** `x` ||y|| " * 500)[:10_000],
    "10k-random": "".join(random.Random(10).choice("abc xyz?!.") for _ in range(10_000)),
}


@pytest.mark.parametrize("name", sorted(LONG_QUESTIONS))
@pytest.mark.parametrize("max_chars", [500, 10_000])
def test_ten_thousand_character_questions(
    knowledge: KnowledgeBase, name: str, max_chars: int
) -> None:
    for quote_max in QUOTE_LIMITS:
        _ask(knowledge, LONG_QUESTIONS[name], quote_max, max_chars)


def test_quote_from_a_wall_of_text_respects_every_limit(knowledge: KnowledgeBase) -> None:
    for quote_max in QUOTE_LIMITS:
        answer = answer_question(knowledge, "bridge7 bridge13 bridge21", quote_max_chars=quote_max)
        walls = [finding for finding in answer.candidates if finding.article.id == "wall"]
        assert walls, "the 6,000-word paragraph is among the candidates"
        assert all(len(finding.quote.text) <= quote_max for finding in walls)


# --------------------------------------------------------------------------- the fuzz harness


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    path = REPO / "fuzz" / "fuzz_loaders.py"
    spec = importlib.util.spec_from_file_location("dateline_fuzz_loaders", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fuzz_target_on_seeds_and_random_inputs(harness: ModuleType) -> None:
    check: Callable[[bytes], None] = harness.check_one_input
    seeds = [path.read_bytes() for path in sorted((REPO / "fuzz" / "seeds").iterdir())]
    assert len(seeds) >= 5
    rng = random.Random(2024)
    inputs: list[bytes] = [b"", *seeds]
    for number in range(400):
        if number % 2:
            data = rng.randbytes(rng.randrange(0, 600))
        else:  # mutate a seed: flip, insert and delete bytes
            mutated = bytearray(rng.choice(seeds))
            for _ in range(rng.randrange(1, 12)):
                position = rng.randrange(0, len(mutated) + 1)
                operation = rng.randrange(3)
                if operation == 0 and position < len(mutated):
                    mutated[position] = rng.randrange(256)
                elif operation == 1:
                    mutated[position:position] = rng.randbytes(rng.randrange(1, 8))
                elif position < len(mutated):
                    del mutated[position]
            data = bytes(mutated)
        inputs.append(data)
    started = time.perf_counter()
    for data in inputs:
        check(data)
    assert time.perf_counter() - started < 30


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1024))
def test_fuzz_target_on_hypothesis_bytes(harness: ModuleType, data: bytes) -> None:
    harness.check_one_input(data)


def test_fuzz_harness_without_atheris_says_how_to_install(
    harness: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "atheris", None)
    with pytest.raises(SystemExit) as exit_info:
        harness.main(["fuzz_loaders.py"])
    assert exit_info.value.code == 2
    assert "pip install atheris" in capsys.readouterr().err


def test_fuzz_harness_starts_from_the_seeds_unless_given_a_corpus(harness: ModuleType) -> None:
    (seeded,) = [arg for arg in harness.with_seeds(["fuzz", "-runs=1"]) if "seed_inputs" in arg]
    assert seeded.count(",") >= 4 and "fuzz/seeds/" in seeded
    assert harness.with_seeds(["fuzz", "corpus", "-runs=1"]) == ["fuzz", "corpus", "-runs=1"]


def test_settings_limits_used_here_are_the_real_ones() -> None:
    fields = Settings.model_fields
    limits = [m for m in fields["quote_max_chars"].metadata if hasattr(m, "ge") or hasattr(m, "le")]
    bounds = {getattr(m, "ge", None) for m in limits} | {getattr(m, "le", None) for m in limits}
    assert {QUOTE_LIMITS[0], QUOTE_LIMITS[-1]} <= bounds
    assert fields["quote_max_chars"].default == QUOTE_LIMITS[1]

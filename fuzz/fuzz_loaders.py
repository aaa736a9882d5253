"""Coverage-guided fuzzing of everything untrusted bytes and text reach in the core.

    pip install atheris            # the optional 'fuzz' extra
    python fuzz/fuzz_loaders.py -atheris_runs=10000 [-max_len=4096] [-timeout=10] [CORPUS_DIR]

Without CORPUS_DIR it starts from the hand-written inputs in fuzz/seeds/ (first byte: the
target, see below) and keeps what it finds in memory; with one, libFuzzer reads and grows it.

The first input byte picks a target, the rest is its input: article files of each supported
type (`load_bytes`, then passages and sentences), the dateline finder and parser, the
analyzer, and the whole answer path on a small hand-written knowledge base. Each target
asserts the contracts front ends rely on (no exception escapes, spans inside the text, quotes
within the length limit), so a violation is reported as a crash with its input saved.

`check_one_input` needs no atheris: tests/test_hostile_input.py runs it on random inputs.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from bot.knowledge import KnowledgeBase

SUFFIXES = (".txt", ".md", ".json", ".jsonl")
QUOTE_MAX_CHARS = 400
MAX_QUESTION_CHARS = 10_000
TARGETS = len(SUFFIXES) + 3  # loaders, dateline, analyzer, answer
_FAKE_ROOT = ROOT / "fuzz"
SEEDS = ROOT / "fuzz" / "seeds"
# Hand-written, in the shapes the loader knows (wire .txt, Markdown with front matter, JSON).
_SEED_FILES = {
    "bridge.txt": "Harbour Bridge Reopens\n\nSYDNEY (Reuters) - The harbour bridge reopened on "
    "Monday after two years of repairs, officials said.\n\nTraffic was light. About 160,000 "
    "vehicles cross it every day.\n",
    "aid.md": "---\ntitle: Aid Flights Land\ndateline: MOSCOW, April 2 /TASS/\n---\n"
    "The first planes landed at the airfield on Sunday.\n\nThe minister welcomed the crews "
    "and thanked the doctors.\n",
    "feed.jsonl": '{"id": "p1", "title": "Port Strike Ends", "text": "ROTTERDAM (Reuters) - '
    'Dock workers returned on Tuesday after a week-long strike over pay."}\n',
}


@functools.cache
def _knowledge() -> KnowledgeBase:
    from bot.knowledge import assemble, load_bytes, merge_loads
    from bot.settings import Settings

    loads = [
        load_bytes(text.encode(), _FAKE_ROOT / name, _FAKE_ROOT)
        for name, text in _SEED_FILES.items()
    ]
    settings = Settings(_env_file=None, knowledge_paths=[_FAKE_ROOT])  # type: ignore[call-arg]
    return assemble(merge_loads(loads), settings)


def _check_spans(spans: list[tuple[int, int]], length: int) -> None:
    for start, end in spans:
        assert 0 <= start < end <= length, (start, end, length)


def check_load(data: bytes, suffix: str) -> None:
    """An article file: problems are reported, never raised; every span is inside the text."""
    from bot.knowledge import load_bytes, split_passages

    load = load_bytes(data, _FAKE_ROOT / f"fuzzed{suffix}", _FAKE_ROOT)
    for problem in load.problems:
        assert isinstance(problem.reason, str) and problem.reason
    for article in load.articles:
        assert article.paragraphs and isinstance(article.title, str)
        _check_spans([(p.start, p.end) for p in article.paragraphs], len(article.text))
        if article.dateline is not None:
            assert isinstance(article.dateline.display, str)
        for passage in split_passages(article, 150)[:3]:
            assert 0 <= passage.start < passage.end <= len(article.text)
            _check_spans(passage.sentence_spans(), len(article.text))


def check_dateline(text: str) -> None:
    """The dateline finder's offsets are inside the text; the parser never fails."""
    from bot.knowledge import find_dateline, parse_dateline

    found = find_dateline(text)
    if found is not None:
        assert 0 <= found.start <= found.end <= found.body_start <= len(text)
        assert isinstance(found.dateline.display, str)
    assert isinstance(parse_dateline(text).display, str)


def check_analyzer(text: str) -> None:
    """Token offsets point into the text; terms are non-empty strings."""
    knowledge = _knowledge()
    for token in knowledge.analyzer.tokens(text):
        assert token.term
        assert 0 <= token.start < token.end <= len(text)


def check_answer(question: str) -> None:
    """Any question gets an `Answer`; every quote stays within the limit."""
    from bot.answers import answer_question

    answer = answer_question(
        _knowledge(),
        question,
        max_question_chars=MAX_QUESTION_CHARS,
        quote_max_chars=QUOTE_MAX_CHARS,
    )
    assert isinstance(answer.message, str)
    for finding in answer.findings:
        assert len(finding.quote.text) <= QUOTE_MAX_CHARS
        _check_spans(list(finding.quote.highlights), len(finding.quote.text))


def check_one_input(data: bytes) -> None:
    """One fuzz case: `data[0]` picks the target, `data[1:]` is its input."""
    if not data:
        return
    target, payload = data[0] % TARGETS, data[1:]
    if target < len(SUFFIXES):
        check_load(payload, SUFFIXES[target])
        return
    text = payload.decode("utf-8", errors="surrogateescape")
    if target == len(SUFFIXES):
        check_dateline(text)
    elif target == len(SUFFIXES) + 1:
        check_analyzer(text)
    else:
        check_answer(text)


def with_seeds(argv: list[str]) -> list[str]:
    """Start from the hand-written seeds unless a corpus folder is given (libFuzzer writes
    new inputs into a corpus folder; seeds passed this way are only read)."""
    if any(not arg.startswith("-") for arg in argv[1:]):
        return argv
    seeds = ",".join(str(path) for path in sorted(SEEDS.iterdir()))
    return [*argv, f"-seed_inputs={seeds}"]


def main(argv: list[str]) -> None:
    """Instrument Dateline's modules (imported here, not above), then fuzz."""
    try:
        import atheris
    except ImportError:
        sys.stderr.write("atheris is not installed: pip install atheris (the 'fuzz' extra)\n")
        raise SystemExit(2) from None
    with atheris.instrument_imports(include=["bot"]):
        import bot.answers.pipeline
        import bot.knowledge.articles
        import bot.knowledge.base
        import bot.knowledge.datelines
        import bot.knowledge.passages
        import bot.text.analyzer
        import bot.text.sentences  # noqa: F401
    _knowledge()
    logging.disable(logging.CRITICAL)  # cp1252 fallbacks would log on most inputs
    atheris.Setup(with_seeds(argv), check_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)

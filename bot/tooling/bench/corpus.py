"""Benchmark inputs from real text: the shared news articles (repeated with variation) and
1,000 questions from the shared question sets and news headlines.

Corpus. `../shared/data/news/articles.jsonl` (25,603 articles) is written out as JSONL files
of `ARTICLES_PER_FILE` articles each (so a reload after editing one file has something to
skip) and loaded by Dateline's own loader and passage splitter. With 60-word passages it
makes ~106k passages. Bigger corpora repeat it: repetition r >= 1 gives every article a new
id (``<id>~r<r>``) and tags every 7th word after the first 12 (so datelines stay intact)
with ``_<r>`` (``cocoa`` → ``cocoa_3``), which Dateline indexes as a new term. Each
repetition thus shares 6/7 of its words with the original — document frequencies of common
words grow with the corpus as in a real archive — and adds its own rare terms, so the
vocabulary grows too. Ten repetitions make ~1.06M passages.

Questions. Deterministic samples (seed 5): 400 from realtimeqa, 400 from squad-dev and 200
news headlines (titles of articles in the corpus), 1,000 in all.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ARTICLES_PER_FILE = 1_600
TAG_EVERY = 7
TAG_AFTER_WORDS = 12
SEED = 5
QUESTION_MIX = (("realtimeqa", 400), ("squad-dev", 400))
HEADLINES = 200
_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True, slots=True)
class Corpus:
    """A benchmark corpus on disk."""

    folder: Path
    files: tuple[Path, ...]
    articles: int
    repetitions: int
    bytes: int


def news_path(shared_data: Path) -> Path:
    """Where the shared news articles are."""
    return shared_data / "news" / "articles.jsonl"


def _news(shared_data: Path, limit: int | None) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    with news_path(shared_data).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                records.append(json.loads(line))
            if limit is not None and len(records) >= limit:
                break
    return records


def vary(text: str, repetition: int) -> str:
    """Tag every `TAG_EVERY`-th word (after the first `TAG_AFTER_WORDS`) with the repetition."""
    if repetition == 0:
        return text
    count = 0

    def tag(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        if count > TAG_AFTER_WORDS and (count + repetition) % TAG_EVERY == 0:
            return f"{match.group()}_{repetition}"
        return match.group()

    return _WORD.sub(tag, text)


def write_corpus(
    shared_data: Path, folder: Path, repetitions: int = 1, limit: int | None = None
) -> Corpus:
    """Write `repetitions` varied copies of the news articles (the first `limit` of them)."""
    records = _news(shared_data, limit)
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    written = 0
    size = 0
    for repetition in range(repetitions):
        for start in range(0, len(records), ARTICLES_PER_FILE):
            path = folder / f"news-r{repetition:02d}-{start // ARTICLES_PER_FILE:03d}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for record in records[start : start + ARTICLES_PER_FILE]:
                    copy = dict(record)
                    if repetition:
                        copy["id"] = f"{record['id']}~r{repetition}"
                        copy["text"] = vary(str(record.get("text", "")), repetition)
                    out.write(json.dumps(copy, ensure_ascii=False) + "\n")
                    written += 1
            files.append(path)
            size += path.stat().st_size
    return Corpus(folder, tuple(files), written, repetitions, size)


def _questions_from(path: Path) -> list[str]:
    found: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                question = json.loads(line).get("question")
                if isinstance(question, str) and question.strip():
                    found.append(question.strip())
    return found


def load_questions(shared_data: Path, count: int = 1_000, limit: int | None = None) -> list[str]:
    """`count` questions: the shared question sets and news headlines, in a fixed mix."""
    rng = random.Random(SEED)
    chosen: list[str] = []
    for name, wanted in QUESTION_MIX:
        path = shared_data / name / "questions.jsonl"
        if path.is_file():
            pool = _questions_from(path)
            chosen.extend(rng.sample(pool, min(len(pool), wanted)))
    titles = [str(r.get("title") or "") for r in _news(shared_data, limit)]
    titles = [title for title in titles if len(title.split()) >= 3]
    chosen.extend(rng.sample(titles, min(len(titles), HEADLINES)))
    rng.shuffle(chosen)
    while chosen and len(chosen) < count:  # a tiny corpus: cycle what there is
        chosen.extend(chosen[: count - len(chosen)])
    return chosen[:count]


def iter_sample(items: list[str], size: int) -> Iterator[str]:
    """An evenly spread sample of `size` items (deterministic)."""
    if size >= len(items):
        yield from items
        return
    step = len(items) / size
    for number in range(size):
        yield items[int(number * step)]

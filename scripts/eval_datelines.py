"""Measure `bot.knowledge.datelines.find_dateline` against the shared news
data's ground-truth datelines.

Two sets: `news/articles.jsonl` + `news/datelines.tsv` (the dateline starts the `text` field) and
`news/styles/<agency>/*.txt` + `news/styles/datelines.tsv` (headline line, blank line, optional
standfirst, paragraphs). For a styles file the first body paragraph is tried and, when it has no
dateline, the next one (the standfirst case).

Usage: python scripts/eval_datelines.py [--shared-data DIR] [--json OUT] [--show-errors N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.knowledge import find_dateline  # noqa: E402

DEFAULT_SHARED_DATA = REPO.parent / "shared" / "data"


@dataclass(slots=True)
class Disagreement:
    """One item where the parser and the ground truth differ."""

    item: str
    group: str
    expected: str
    found: str
    start: str


@dataclass(slots=True)
class SetResult:
    """Figures for one data set."""

    name: str
    items: int = 0
    with_dateline: int = 0
    exact: int = 0
    false_positives: int = 0  # found where the ground truth has none
    false_negatives: int = 0  # none found where the ground truth has one
    mismatches: int = 0  # both have one, different text
    seconds: float = 0.0
    by_group: dict[str, dict[str, int]] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def exact_share(self) -> float:
        return self.exact / self.with_dateline if self.with_dateline else 1.0

    def add(self, item: str, group: str, expected: str, found: str, start: str) -> None:
        """Score one item."""
        self.items += 1
        counts = self.by_group.setdefault(
            group, {"items": 0, "with_dateline": 0, "exact": 0, "fp": 0, "fn": 0, "mismatch": 0}
        )
        counts["items"] += 1
        if expected:
            self.with_dateline += 1
            counts["with_dateline"] += 1
        if expected and found == expected:
            self.exact += 1
            counts["exact"] += 1
            return
        if not expected and not found:
            return
        if not expected:
            self.false_positives += 1
            counts["fp"] += 1
        elif not found:
            self.false_negatives += 1
            counts["fn"] += 1
        else:
            self.mismatches += 1
            counts["mismatch"] += 1
        self.disagreements.append(Disagreement(item, group, expected, found, start[:90]))

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["exact_share"] = round(self.exact_share, 5)
        return data


def _read_tsv(path: Path) -> list[list[str]]:
    """Rows of a TSV file without its header, padded so a missing last column is ''."""
    lines = path.read_text(encoding="utf-8").splitlines()
    width = len(lines[0].split("\t"))
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        rows.append(cells + [""] * (width - len(cells)))
    return rows


def eval_articles(news: Path) -> SetResult:
    """Score `find_dateline(text)` on every article of articles.jsonl."""
    expected = {row[0]: row[1] for row in _read_tsv(news / "datelines.tsv")}
    records = []
    with (news / "articles.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            records.append((record["id"], record["source"], record["text"]))
    result = SetResult(name="articles.jsonl")
    began = time.perf_counter()
    found = [find_dateline(text) for _, _, text in records]
    result.seconds = time.perf_counter() - began
    for (item, source, text), match in zip(records, found, strict=True):
        got = match.dateline.as_written if match else ""
        result.add(item, source, expected.get(item, ""), got, text)
    return result


def _body_candidates(text: str) -> list[str]:
    """Where a styles file's dateline may start, in order: the first body paragraph (after the
    headline line), the second (after a standfirst), and last the first line itself (a file
    whose headline is missing starts with its dateline paragraph)."""
    _, _, body = text.partition("\n")
    candidates = []
    offset = 0
    for paragraph in [p for p in body.split("\n\n") if p.strip()][:2]:
        position = body.index(paragraph, offset)
        candidates.append(body[position:].lstrip())
        offset = position + len(paragraph)
    candidates.append(text)
    return candidates


def eval_styles(news: Path) -> SetResult:
    """Score the plain-text files: first body paragraph, else the second (after a standfirst)."""
    styles = news / "styles"
    rows = _read_tsv(styles / "datelines.tsv")
    texts = [
        (file, agency, (styles / file).read_text(encoding="utf-8")) for file, agency, _ in rows
    ]
    result = SetResult(name="styles/*.txt")
    outcomes = []
    began = time.perf_counter()
    for _, _, text in texts:
        got, start = "", ""
        for candidate in _body_candidates(text):
            match = find_dateline(candidate)
            start = start or candidate
            if match is not None:
                got, start = match.dateline.as_written, candidate
                break
        outcomes.append((got, start))
    result.seconds = time.perf_counter() - began
    for (file, agency, _), (got, start), row in zip(texts, outcomes, rows, strict=True):
        result.add(file, agency, row[2], got, start)
    return result


def evaluate(shared_data: Path) -> list[SetResult]:
    """Both sets' results."""
    news = shared_data / "news"
    return [eval_articles(news), eval_styles(news)]


def _print(results: list[SetResult], show_errors: int) -> None:
    console = Console()
    table = Table(title="Dateline parsing vs ground truth")
    for column in ("set", "items", "with dateline", "exact", "exact %", "FP", "FN", "mismatch"):
        table.add_column(column, justify="left" if column == "set" else "right")
    table.add_column("time", justify="right")
    for result in results:
        table.add_row(
            result.name,
            str(result.items),
            str(result.with_dateline),
            str(result.exact),
            f"{100 * result.exact_share:.2f}",
            str(result.false_positives),
            str(result.false_negatives),
            str(result.mismatches),
            f"{1000 * result.seconds:.0f} ms",
        )
        for group, counts in sorted(result.by_group.items()):
            share = counts["exact"] / counts["with_dateline"] if counts["with_dateline"] else 1.0
            table.add_row(
                f"  {group}",
                str(counts["items"]),
                str(counts["with_dateline"]),
                str(counts["exact"]),
                f"{100 * share:.2f}",
                str(counts["fp"]),
                str(counts["fn"]),
                str(counts["mismatch"]),
                "",
            )
    console.print(table)
    for result in results:
        kinds = Counter(
            "FP" if not d.expected else "FN" if not d.found else "mismatch"
            for d in result.disagreements
        )
        console.print(
            f"[bold]{result.name}[/]: {len(result.disagreements)} disagreements {dict(kinds)}"
        )
        for item in result.disagreements[:show_errors]:
            console.print(
                f"  {item.item} [{item.group}] expected={item.expected!r} found={item.found!r}"
                f"\n      text={item.start!r}",
                markup=False,
                highlight=False,
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=DEFAULT_SHARED_DATA)
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument("--show-errors", type=int, default=20, help="disagreements to list per set")
    args = parser.parse_args(argv)
    if not (args.shared_data / "news" / "datelines.tsv").is_file():
        print(f"no news data under {args.shared_data}", file=sys.stderr)
        return 2
    results = evaluate(args.shared_data)
    _print(results, args.show_errors)
    if args.json is not None:
        args.json.write_text(
            json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

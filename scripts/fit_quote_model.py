"""Fit the quote scorer's weights (`bot/answers/quote_model.py`) on question sets with gold answers.

For every question, every candidate window of the re-ranked passages is a row of features
(`bot.answers.quote_model.FEATURES`); the label says whether a gold answer occurs in it. A listwise
softmax regression learns weights that put a gold-bearing window first. The articles are
split in two halves by the same hash as `dateline eval`'s unanswerable protocol: the model is
fitted on one half and the share of questions whose top window holds a gold answer is
reported on the other, then refitted on everything for the weights to paste.

With the neural stage on (the default) the weights are `WEIGHTS`; with DATELINE_RERANKER=off
they are `BM25_ONLY_WEIGHTS` (the neural features are then 0).

Usage: python scripts/fit_quote_model.py [DIR ...]  (default: ../shared/data/squad-dev and
../shared/data/realtimeqa). A tool for developers, not a test.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answers import FEATURES, candidate_windows, shared_word_vectors, weigh_question
from bot.answers.neural import shared_stage
from bot.answers.quote_model import BM25_ONLY_WEIGHTS, NEURAL_FEATURES, WEIGHTS
from bot.knowledge import assemble, collapse_whitespace, load_articles
from bot.settings import load_settings
from bot.tooling.evaluation import load_questions, normalise, withheld

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass
class Rows:
    """Candidate features, labels and the question each row belongs to."""

    features: list[tuple[float, ...]]
    labels: list[bool]
    groups: list[int]
    halves: list[bool]  # True: the article is in the held-out half


def collect(folder: Path, rows: Rows, group_offset: int) -> int:
    """Add one question set's candidate windows to `rows`; returns the next group id."""
    settings = load_settings()
    report = load_articles([folder / "corpus.jsonl"], settings.max_file_bytes)
    knowledge = assemble(report, settings)
    group = group_offset
    vectors = shared_word_vectors() if settings.semantic_similarity else None
    _, neural = shared_stage(settings)
    for question in load_questions(folder / "questions.jsonl"):
        terms = knowledge.analyzer.terms(question.question)
        if not terms:
            continue
        weights = weigh_question(knowledge, terms, question.question, vectors)
        golds = [normalise(gold) for gold in question.answers if gold.strip()]
        held_out = withheld(question.article_id)
        hits = list(
            candidate_windows(
                knowledge,
                question.question,
                terms,
                weights,
                settings.quote_max_chars,
                vectors,
                neural,
            )
        )
        if not hits:
            continue
        for hit in hits:
            for candidate in hit.candidates:
                window = normalise(
                    collapse_whitespace(hit.article.text[candidate.start : candidate.end])
                )
                rows.features.append(candidate.features)
                rows.labels.append(any(gold in window for gold in golds))
                rows.groups.append(group)
                rows.halves.append(held_out)
        group += 1
    if neural is not None:
        neural.vectors.flush()  # the next fit reads them instead of embedding again
    return group


def fit(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, steps: int = 1500, l2: float = 1e-3
) -> np.ndarray:
    """Listwise softmax regression by gradient descent with Adam; rows sorted by group."""
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    positives = np.add.reduceat(y.astype(float), starts)
    keep = np.repeat(positives > 0, np.diff(np.r_[starts, len(groups)]))
    x, y, groups = x[keep], y[keep], groups[keep]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    sizes = np.diff(np.r_[starts, len(groups)])
    scale = np.maximum(np.abs(x).max(axis=0), 1e-9)
    xs = x / scale
    w = np.zeros(x.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, steps + 1):
        s = xs @ w
        s = s - np.repeat(np.maximum.reduceat(s, starts), sizes)
        e = np.exp(s)
        p = e / np.repeat(np.add.reduceat(e, starts), sizes)
        pos = p * y
        q = pos / np.repeat(np.add.reduceat(pos, starts), sizes)
        grad = xs.T @ (p - q) / len(starts) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= 0.05 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    result: np.ndarray = w / scale
    return result


def top1(x: np.ndarray, y: np.ndarray, groups: np.ndarray, w: np.ndarray) -> float:
    """Share of questions whose best-scoring window holds a gold answer (first wins ties)."""
    scores = x @ w
    hits = 0
    total = 0
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    for start, end in zip(starts, ends, strict=True):
        total += 1
        hits += bool(y[start + int(np.argmax(scores[start:end]))])
    return hits / total if total else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folders", nargs="*", type=Path, default=[SHARED / "squad-dev", SHARED / "realtimeqa"]
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = Rows([], [], [], [])
    group = 0
    per_set: dict[str, tuple[int, int]] = {}
    for folder in args.folders:
        first = group
        group = collect(folder, rows, group)
        per_set[folder.name] = (first, group)
    x = np.asarray(rows.features, dtype=float)
    y = np.asarray(rows.labels, dtype=bool)
    groups = np.asarray(rows.groups)
    held = np.asarray(rows.halves, dtype=bool)
    neural = shared_stage(load_settings())[1] is not None
    current = np.asarray(WEIGHTS if neural else BM25_ONLY_WEIGHTS)
    fitted_half = fit(x[~held], y[~held], groups[~held])
    report: dict[str, object] = {"features": FEATURES, "rows": len(y), "questions": group}
    for name, (first, last) in per_set.items():
        in_set = (groups >= first) & (groups < last)
        test = in_set & held
        report[name] = {
            "held_out_top1_current_weights": round(
                top1(x[test], y[test], groups[test], current), 4
            ),
            "held_out_top1_fitted_on_other_half": round(
                top1(x[test], y[test], groups[test], fitted_half), 4
            ),
        }
    fitted_all = fit(x, y, groups)
    for name, (first, last) in per_set.items():
        in_set = (groups >= first) & (groups < last)
        assert isinstance(report[name], dict)
        report[name]["all_top1_fitted_on_all"] = round(
            top1(x[in_set], y[in_set], groups[in_set], fitted_all), 4
        )
    if not neural:  # the neural features are all 0: their weights mean nothing
        fitted_all[-len(NEURAL_FEATURES) :] = 0.0
    report["weights"] = [round(float(value), 4) for value in fitted_all]
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

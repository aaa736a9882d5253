"""Fit the confidence model's weights (`bot/answers/confidence.py`)
on question sets with gold answers.

Runs `dateline eval`'s unanswerable protocol (half of the articles withheld, by the same hash)
on each folder and records every question's confidence signals. A question whose article is
kept and whose quote holds a gold answer is a positive; one whose article was withheld is a
negative (a kept question answered wrongly is a negative too: silence costs nothing there).
Logistic regression is fitted on the questions of one half (by a hash of the question id) and
checked on the other, then refitted on all for the weights to paste. It prints, per set, the
abstention on withheld questions and the answer-in-quote on kept ones at a few thresholds.

Usage: python scripts/fit_confidence.py [DIR ...]  (default: ../shared/data/squad-dev and
../shared/data/realtimeqa). A tool for developers, not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from bot.answers import SIGNALS, answer_question
from bot.answers.neural import shared_stage
from bot.knowledge import load_articles
from bot.settings import load_settings
from bot.tooling.evaluation import load_questions, score_answer, withheld_knowledge

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
THRESHOLDS = (0.05, 0.08, 0.1, 0.12, 0.15, 0.2)


def collect(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Signals, labels, kept-article flags and question halves for one question set."""
    settings = load_settings()
    report = load_articles([folder / "corpus.jsonl"], settings.max_file_bytes)
    knowledge, kept_ids = withheld_knowledge(report, settings)
    _, neural = shared_stage(settings)
    signals, labels, kept_flags, halves = [], [], [], []
    for question in load_questions(folder / "questions.jsonl"):
        answer = answer_question(
            knowledge,
            question.question,
            alternatives=0,
            max_question_chars=2000,
            abstain_threshold=0.0,
            semantic=settings.semantic_similarity,
            neural=neural,
        )
        if answer.best is None or not answer.signals:
            continue
        in_knowledge = question.article_id in kept_ids
        signals.append(answer.signals)
        labels.append(in_knowledge and score_answer(answer, question).hit)
        kept_flags.append(in_knowledge)
        halves.append(hashlib.sha256(question.id.encode("utf-8")).digest()[0] % 2 == 1)
    if neural is not None:
        neural.vectors.flush()
    return (
        np.asarray(signals, dtype=float),
        np.asarray(labels, dtype=bool),
        np.asarray(kept_flags, dtype=bool),
        np.asarray(halves, dtype=bool),
    )


def fit(x: np.ndarray, y: np.ndarray, steps: int = 3000, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression by Adam; the last weight is the bias."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, steps + 1):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0.0]
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= 0.05 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def rates(
    x: np.ndarray, y: np.ndarray, kept: np.ndarray, w: np.ndarray
) -> dict[str, dict[str, float]]:
    """Abstention on withheld and answer-in-quote on kept questions at each threshold."""
    p = 1.0 / (1.0 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ w)))
    table = {}
    for threshold in THRESHOLDS:
        table[str(threshold)] = {
            "abstention_on_withheld": round(float(np.mean(p[~kept] < threshold)), 4),
            "answer_in_quote_kept": round(float(np.mean(y[kept] & (p[kept] >= threshold))), 4),
        }
    table["no_abstention"] = {"answer_in_quote_kept": round(float(np.mean(y[kept])), 4)}
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folders", nargs="*", type=Path, default=[SHARED / "squad-dev", SHARED / "realtimeqa"]
    )
    args = parser.parse_args()
    started = time.perf_counter()
    sets = {folder.name: collect(folder) for folder in args.folders}
    x = np.vstack([data[0] for data in sets.values()])
    y = np.concatenate([data[1] for data in sets.values()])
    held = np.concatenate([data[3] for data in sets.values()])
    # Every question weighs the same, so squad-dev (~4x realtimeqa's questions) weighs more.
    weights_half = fit(x[~held], y[~held])
    weights_all = fit(x, y)
    report: dict[str, object] = {"signals": SIGNALS}
    for name, (xs, ys, kept, halves) in sets.items():
        report[name] = {
            "held_out_half_fitted_on_other": rates(
                xs[halves], ys[halves], kept[halves], weights_half
            ),
            "all_fitted_on_all": rates(xs, ys, kept, weights_all),
        }
    report["weights"] = [round(float(value), 4) for value in weights_all[:-1]]
    report["bias"] = round(float(weights_all[-1]), 4)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

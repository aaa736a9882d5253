"""Hand-written articles and knowledge comparisons shared by the snapshot tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from bot.answers import answer_question
from bot.frontends.cli.json_output import answer_json
from bot.knowledge import KnowledgeBase

QUESTIONS = (
    "How many ships did the lighthouse keeper count?",
    "What did the bakery sell on the festival day?",
    "Where did the orchestra play its concerts?",
    "Who repaired the harbour crane?",
    "What is the capital of Australia?",
)


def write_corpus(folder: Path) -> None:
    """Hand-written articles in every supported format, one with a dateline and a subheading."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harbour.txt").write_text(
        "Harbour news\n\nPORTSMOUTH, March 3 (Reuters) - The lighthouse keeper counted 40 ships "
        "in March. Most of them were fishing boats.\n\nCrane works\n\nA welder repaired the "
        "harbour crane on Tuesday. The port reopened the next morning.\n",
        encoding="utf-8",
    )
    (folder / "bakery.md").write_text(
        "---\ntitle: Festival bakery\nsource: Town Crier\npublished: 2024-05-01\n---\n"
        "# Festival bakery\n\nThe bakery sold 300 loaves on the festival day. Queues formed "
        "before dawn.\n",
        encoding="utf-8",
    )
    records = [
        {
            "id": "o1",
            "title": "Orchestra season",
            "text": "The orchestra played 12 concerts in the "
            "old cathedral. Tickets sold out within hours.",
            "url": "https://example.org/o1",
        },
        {
            "id": "o2",
            "title": "Choir tour",
            "text": "The choir toured five towns by bus. The "
            "conductor praised the acoustics of the cathedral.",
        },
    ]
    (folder / "music.jsonl").write_text(
        "\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8"
    )


def answers(knowledge: KnowledgeBase) -> list[dict[str, Any]]:
    """Everything an answer shows, minus its timing."""
    out = []
    for question in QUESTIONS:
        data = answer_json(answer_question(knowledge, question))
        data.pop("elapsed_ms")
        out.append(data)
    return out


def same_knowledge(left: KnowledgeBase, right: KnowledgeBase) -> None:
    """Equal articles, passages, problems, index arrays and answers."""
    assert left.articles == right.articles
    shape = [(p.article_id, p.ordinal, p.start, p.end, p.segments, p.text) for p in left.passages]
    assert shape == [
        (p.article_id, p.ordinal, p.start, p.end, p.segments, p.text) for p in right.passages
    ]
    assert left.report == right.report
    ours, meta = left.index.to_arrays()
    theirs, other_meta = right.index.to_arrays()
    assert meta == other_meta
    for name, array in ours.items():
        assert np.array_equal(array, theirs[name]), name
    assert answers(left) == answers(right)

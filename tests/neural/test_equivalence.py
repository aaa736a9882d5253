"""The int8 ONNX file Dateline runs is the publisher's model: on 1,000 real sentences from the
shared question sets its vectors agree with a plain numpy forward pass of the verified fp32
safetensors at cosine >= 0.99 each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.neural import load_encoder
from bot.neural.reference import ReferenceEncoder
from bot.text import sentence_spans

SENTENCES = 1_000


def _real_sentences(shared_data: Path) -> list[str]:
    found: list[str] = []
    for name in ("realtimeqa", "squad-dev"):
        with (shared_data / name / "corpus.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                text = json.loads(line)["text"]
                for start, end in sentence_spans(text):
                    sentence = text[start:end]
                    if 20 <= len(sentence) <= 300:
                        found.append(sentence)
                if len(found) >= SENTENCES * (1 if name == "squad-dev" else 0.5):
                    break
    return found[:SENTENCES]


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.timeout(900)
def test_int8_model_matches_the_verified_fp32_weights(shared_data: Path) -> None:
    sentences = _real_sentences(shared_data)
    assert len(sentences) == SENTENCES
    state = load_encoder()
    assert state.encoder is not None, state.reason
    fast = state.encoder.encode(sentences)
    reference = ReferenceEncoder().encode(sentences)
    cosines = (fast * reference).sum(axis=1)
    assert float(cosines.min()) >= 0.99, f"lowest cosine {cosines.min():.4f}"
    assert float(cosines.mean()) >= 0.995

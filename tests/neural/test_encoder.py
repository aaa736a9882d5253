"""The encoder's vectors: unit length, in input order, and close for texts that mean the same."""

from __future__ import annotations

import numpy as np
import pytest

from bot.neural import Encoder, load_encoder


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    state = load_encoder()
    assert state.encoder is not None, state.reason
    return state.encoder


def test_vectors_are_unit_length_and_in_order(encoder: Encoder) -> None:
    texts = ["A long sentence about the airlift of medical aid to Italy.", "Hi", "Rome"]
    together = encoder.encode(texts)
    assert together.shape == (3, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    for text, row in zip(texts, together, strict=True):
        assert float(encoder.encode([text])[0] @ row) > 0.999  # batching changes nothing


def test_a_question_is_closer_to_its_answer_than_to_an_unrelated_sentence(
    encoder: Encoder,
) -> None:
    question, answer, other = encoder.encode(
        [
            "Who welcomed the Russian planes at the airfield?",
            "The Italian foreign minister met the first Russian aircraft at the air base.",
            "Cocoa prices fell in London as showers improved the Bahia crop.",
        ]
    )
    assert float(question @ answer) > float(question @ other) + 0.2


def test_empty_input_and_overlong_text(encoder: Encoder) -> None:
    assert encoder.encode([]).shape == (0, 384)
    assert encoder.token_count("word " * 2000) == 256  # truncated as the model was trained

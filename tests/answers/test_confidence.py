"""The confidence model: one weight per signal, a probability, and sensible ordering."""

from __future__ import annotations

import math

from bot.answers import BIAS, SIGNALS, confidence_from
from bot.answers.confidence import WEIGHTS


def test_one_finite_weight_per_signal() -> None:
    assert len(WEIGHTS) == len(SIGNALS) == len(set(SIGNALS))
    assert all(math.isfinite(weight) for weight in (*WEIGHTS, BIAS))


def test_confidence_is_the_logistic_of_the_weighted_sum() -> None:
    signals = [0.5] * len(SIGNALS)
    logit = BIAS + sum(0.5 * weight for weight in WEIGHTS)
    assert math.isclose(confidence_from(signals, neural=True), 1.0 / (1.0 + math.exp(-logit)))


def test_full_evidence_is_confident_and_none_is_not() -> None:
    assert confidence_from([1.0] * len(SIGNALS)) > 0.9
    assert confidence_from([0.0] * len(SIGNALS)) < 0.1


def test_every_signal_raises_confidence() -> None:
    base = [0.5] * len(SIGNALS)
    for position in range(len(SIGNALS)):
        more = list(base)
        more[position] = 1.0
        assert confidence_from(more) >= confidence_from(base)


def test_extreme_logits_do_not_overflow() -> None:
    assert confidence_from([-1e6] * len(SIGNALS)) == 0.0
    assert confidence_from([1e6] * len(SIGNALS)) == 1.0


def test_words_only_weights_ignore_similarity() -> None:
    from bot.answers import WORDS_ONLY_WEIGHTS

    assert len(WORDS_ONLY_WEIGHTS) == len(SIGNALS)
    signals = [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    assert confidence_from(signals, semantic=False) > 0.9
    assert confidence_from([0.0] * len(SIGNALS), semantic=False) < 0.1


def test_each_mode_reads_its_own_signals() -> None:
    from bot.answers.confidence import NEURAL_WEIGHTS, SEMANTIC_WEIGHTS, WORDS_ONLY_WEIGHTS

    neural = SIGNALS.index("neural_window"), SIGNALS.index("neural_passage")
    for weights in (SEMANTIC_WEIGHTS, WORDS_ONLY_WEIGHTS):
        assert all(weights[position] == 0.0 for position in neural)
    assert len(NEURAL_WEIGHTS) == len(SIGNALS)
